import { type Button, callbackRequests } from "@cac/db";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { decodeCursor, keysetPage, microsToTimestamp } from "./call-log/keyset";
import { type CallbackEmailDeps, emailPendingCallbacks } from "./callback-emails";

export type CallbackInput = { name: string; phone: string; message?: string | undefined };

/**
 * Stores a visitor's callback request (every one is kept), then emails the account's owners
 * unless this button emailed them within the window: those requests go out together in the next
 * email, which says how many came in (services/callback-emails.ts).
 */
export async function requestCallback(
  deps: CallbackEmailDeps,
  button: Button,
  input: CallbackInput,
  visitorIp: string,
) {
  await deps.db.insert(callbackRequests).values({
    accountId: button.accountId,
    buttonId: button.id,
    name: input.name,
    phone: input.phone,
    message: input.message || null,
    ip: visitorIp,
  });
  try {
    await emailPendingCallbacks(deps, button.id);
  } catch (error) {
    // The request is stored: it stays waiting, and the periodic job emails it.
    deps.log.error({ err: error, buttonId: button.id }, "callback email not sent; the job retries");
  }
  return { ok: true as const };
}

const createdMicros = sql<string>`(extract(epoch from ${callbackRequests.createdAt}) * 1000000)::bigint::text`;

/** One page of the account's requests, newest first, and the cursor of the next (null on the last). */
export async function listCallbackRequests(
  deps: Pick<Ports, "db">,
  accountId: string,
  options: { onlyOpen: boolean; cursor?: string | null | undefined; limit: number },
) {
  const key = options.cursor
    ? decodeCursor(
        options.cursor,
        "This page of callback requests is no longer valid. Start again from the first page.",
      )
    : undefined;
  const rows = await deps.db
    .select({
      id: callbackRequests.id,
      buttonId: callbackRequests.buttonId,
      name: callbackRequests.name,
      phone: callbackRequests.phone,
      message: callbackRequests.message,
      handledAt: callbackRequests.handledAt,
      createdAt: callbackRequests.createdAt,
      micros: createdMicros,
    })
    .from(callbackRequests)
    .where(
      and(
        eq(callbackRequests.accountId, accountId),
        options.onlyOpen ? isNull(callbackRequests.handledAt) : undefined,
        key
          ? sql`(${callbackRequests.createdAt}, ${callbackRequests.id}) < (${microsToTimestamp(key.micros)}::timestamptz, ${key.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(callbackRequests.createdAt), desc(callbackRequests.id))
    .limit(options.limit + 1);
  const { items, nextCursor } = keysetPage(rows, options.limit);
  return { items: items.map(({ micros: _micros, ...request }) => request), nextCursor };
}

export async function setCallbackHandled(
  deps: Pick<Ports, "db" | "clock">,
  accountId: string,
  id: string,
  handled: boolean,
) {
  const updated = await deps.db
    .update(callbackRequests)
    .set({ handledAt: handled ? deps.clock.now() : null })
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)))
    .returning({ id: callbackRequests.id });
  if (updated.length === 0) throw new AppError("NOT_FOUND", "This callback request does not exist.");
  return { ok: true as const };
}
