import { buttons, callbackEmailWindows, callbackRequests } from "@cac/db";
import { and, asc, eq, isNotNull, isNull, lte, or } from "drizzle-orm";
import type { Settings } from "../context";
import { emails } from "../email/templates";
import type { Ports } from "../ports";
import { preferenceOn } from "./notifications/preferences";
import { confirmedOwners } from "./owners";

/**
 * At most one email per button per window about its callback requests: the first request is
 * emailed at once; the ones that come in during the window wait for the next email, which says
 * how many arrived (sent by the next request after the window, or by the periodic job).
 */
export const CALLBACK_EMAIL_WINDOW_MS = 10 * 60_000;
/** Requests written out in a digest; the rest are counted ("and 12 more in the portal"). */
const LISTED_IN_DIGEST = 20;

export type CallbackEmailDeps = Pick<Ports, "db" | "mailer" | "clock" | "log"> &
  // Push comes with the server's ports (a new request is pushed at once, apart from the emails).
  Partial<Pick<Ports, "push">> & {
    settings: Pick<Settings, "publicUrl">;
  };

class NothingToSend extends Error {}

/**
 * Emails the owners (those with callback emails on) about the button's requests that no email listed yet, unless the button was
 * emailed within the window. Safe from any number of instances at once: the window moves by one
 * compare-and-set, and in the same transaction the requests are marked as emailed, so each one is
 * counted in exactly one email. Returns how many requests the email listed (0: none sent).
 */
export async function emailPendingCallbacks(deps: CallbackEmailDeps, buttonId: string): Promise<number> {
  const now = deps.clock.now();
  const windowStart = new Date(now.getTime() - CALLBACK_EMAIL_WINDOW_MS);
  let claimed: Array<{
    name: string;
    phone: string;
    message: string | null;
    language: string | null;
    accountId: string;
  }>;
  try {
    claimed = await deps.db.transaction(async (tx) => {
      const won = await tx
        .insert(callbackEmailWindows)
        .values({ buttonId, emailedAt: now })
        .onConflictDoUpdate({
          target: callbackEmailWindows.buttonId,
          set: { emailedAt: now },
          setWhere: lte(callbackEmailWindows.emailedAt, windowStart),
        })
        .returning({ buttonId: callbackEmailWindows.buttonId });
      if (won.length === 0) return [];
      const rows = await tx
        .update(callbackRequests)
        .set({ emailedAt: now })
        .where(and(eq(callbackRequests.buttonId, buttonId), isNull(callbackRequests.emailedAt)))
        .returning({
          name: callbackRequests.name,
          phone: callbackRequests.phone,
          message: callbackRequests.message,
          language: callbackRequests.language,
          accountId: callbackRequests.accountId,
          createdAt: callbackRequests.createdAt,
        });
      // Another instance emailed them a moment ago: keep its window as it was.
      if (rows.length === 0) throw new NothingToSend();
      return rows.sort((a, b) => +a.createdAt - +b.createdAt);
    });
  } catch (error) {
    if (error instanceof NothingToSend) return 0;
    throw error;
  }
  const first = claimed[0];
  if (!first) return 0;
  const [button] = await deps.db.select({ name: buttons.name }).from(buttons).where(eq(buttons.id, buttonId));
  const buttonName = button?.name ?? "Deleted button";
  const portalUrl = new URL("/callbacks", deps.settings.publicUrl).toString();
  for (const owner of await confirmedOwners(deps, first.accountId, preferenceOn("emailCallback"))) {
    await deps.mailer.send(
      claimed.length === 1
        ? emails.callbackRequest(owner.email, { buttonName, ...first }, portalUrl)
        : emails.callbackDigest(
            owner.email,
            {
              buttonName,
              count: claimed.length,
              listed: claimed.slice(0, LISTED_IN_DIGEST),
              windowMinutes: CALLBACK_EMAIL_WINDOW_MS / 60_000,
            },
            portalUrl,
          ),
    );
  }
  return claimed.length;
}

/**
 * The periodic job: emails every button whose requests wait and whose window has passed. Returns
 * how many emails went out (one per button, whatever the number of owners).
 */
export async function emailDueCallbacks(deps: CallbackEmailDeps): Promise<number> {
  const windowStart = new Date(deps.clock.now().getTime() - CALLBACK_EMAIL_WINDOW_MS);
  const due = await deps.db
    .selectDistinct({ buttonId: callbackRequests.buttonId })
    .from(callbackRequests)
    .leftJoin(callbackEmailWindows, eq(callbackEmailWindows.buttonId, callbackRequests.buttonId))
    .where(
      and(
        isNull(callbackRequests.emailedAt),
        isNotNull(callbackRequests.buttonId),
        or(isNull(callbackEmailWindows.emailedAt), lte(callbackEmailWindows.emailedAt, windowStart)),
      ),
    )
    .orderBy(asc(callbackRequests.buttonId));
  let sent = 0;
  for (const { buttonId } of due) {
    if (buttonId && (await emailPendingCallbacks(deps, buttonId)) > 0) sent += 1;
  }
  return sent;
}
