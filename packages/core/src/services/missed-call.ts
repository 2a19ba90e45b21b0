import { accounts, buttons, type CallSession } from "@cac/db";
import { eq } from "drizzle-orm";
import type { Settings } from "../context";
import { emails } from "../email/templates";
import type { Ports } from "../ports";
import { inBackground } from "./notifications/dispatch";
import { pushMissedCall } from "./notifications/events";
import { preferenceOn } from "./notifications/preferences";
import { confirmedOwners } from "./owners";

/**
 * A visitor's call nobody took: the ring timeout ran out (no-answer), the phone line was busy, or
 * nobody was reachable when it started (unavailable). A WebRTC call ends "busy" only when someone
 * in the portal declined it, which is not missed.
 */
export function isMissedCall(call: Pick<CallSession, "status" | "transport">): boolean {
  return (
    call.status === "no-answer" ||
    call.status === "unavailable" ||
    (call.status === "busy" && call.transport === "twilio")
  );
}

/**
 * Emails the account's owners (those with a confirmed email) about a missed call, unless they
 * turned that email off, and pushes it to the devices of the owners and of the members it rang who
 * have missed-call pushes on. Called once per call, when it ends (see `endCall`). Never rejects: a
 * failure is logged and the call's end stands. The email names the button and the time only; the
 * visitor's IP and page stay out of it. Returns how many emails were sent.
 */
export async function notifyMissedCall(
  deps: Pick<Ports, "db" | "mailer" | "log"> & Partial<Pick<Ports, "push">>,
  settings: Pick<Settings, "publicUrl">,
  call: CallSession,
): Promise<number> {
  if (!isMissedCall(call)) return 0;
  try {
    const [account] = await deps.db
      .select({ timezone: accounts.timezone, status: accounts.status })
      .from(accounts)
      .where(eq(accounts.id, call.accountId));
    if (account?.status !== "active") return 0;
    const [button] = call.buttonId
      ? await deps.db.select({ name: buttons.name }).from(buttons).where(eq(buttons.id, call.buttonId))
      : [];
    const buttonLabel = button?.name ?? "(deleted button)";
    const { push } = deps;
    // The push goes out beside the email, without holding up the end of the call.
    if (push)
      inBackground(deps.log, "missed-call push", () => pushMissedCall({ ...deps, push }, call, buttonLabel));
    const owners = await confirmedOwners(deps, call.accountId, preferenceOn("emailMissedCall"));
    const details = {
      buttonLabel,
      at: call.startedAt,
      timezone: account.timezone,
      callsUrl: new URL("/calls", settings.publicUrl).toString(),
    };
    for (const owner of owners) await deps.mailer.send(emails.missedCall(owner.email, details));
    return owners.length;
  } catch (error) {
    deps.log.error({ err: error, sessionId: call.id }, "missed-call email could not be sent");
    return 0;
  }
}
