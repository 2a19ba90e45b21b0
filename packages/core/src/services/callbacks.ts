import { type Button, callbackNotes, callbackRequests, users } from "@cac/db";
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { type VisitorContext, visitorContextColumns } from "../domain/visitor-context";
import type { CallbackWorkStatus } from "../domain/work-items";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { decodeCursor, keysetPage, microsToTimestamp } from "./call-log/keyset";
import { type CallbackEmailDeps, emailPendingCallbacks } from "./callback-emails";
import { inBackground } from "./notifications/dispatch";
import { pushCallbackRequest } from "./notifications/events";

export type CallbackInput = {
  name: string;
  phone: string;
  message?: string | undefined;
  /** The language the widget spoke ("en" | "es"); the email and the portal show it. */
  language?: string | undefined;
  context?: VisitorContext | undefined;
};

/**
 * Stores a visitor's callback request (every one is kept), pushes it to the members' devices
 * (those with callback pushes on), then emails the account's owners
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
    language: input.language ?? null,
    ip: visitorIp,
    // Kept only when the button collects it (a widget that did not know yet may still send it).
    ...visitorContextColumns(button.collectContext ? input.context : undefined),
  });
  const { push } = deps;
  if (push && push.mode !== "off") {
    const request = { accountId: button.accountId, buttonId: button.id, name: input.name };
    inBackground(deps.log, "callback push", () =>
      pushCallbackRequest({ ...deps, push }, request, button.name),
    );
  }
  try {
    await emailPendingCallbacks(deps, button.id);
  } catch (error) {
    // The request is stored: it stays waiting, and the periodic job emails it.
    deps.log.error({ err: error, buttonId: button.id }, "callback email not sent; the job retries");
  }
  return { ok: true as const };
}

const createdMicros = sql<string>`(extract(epoch from ${callbackRequests.createdAt}) * 1000000)::bigint::text`;

/** Whose requests to list: anyone's, nobody's yet, or one member's. */
export type AssigneeFilter = { kind: "unassigned" } | { kind: "member"; userId: string };

export type CallbackListOptions = {
  /** Only requests not done yet (new or assigned). */
  onlyOpen: boolean;
  statuses?: CallbackWorkStatus[] | undefined;
  assignee?: AssigneeFilter | undefined;
  cursor?: string | null | undefined;
  limit: number;
};

const noteCount = sql<number>`(select count(*)::int from ${callbackNotes} where ${callbackNotes.callbackRequestId} = ${callbackRequests.id})`;

/** One page of the account's requests, newest first, and the cursor of the next (null on the last). */
export async function listCallbackRequests(
  deps: Pick<Ports, "db">,
  accountId: string,
  options: CallbackListOptions,
) {
  const key = options.cursor
    ? decodeCursor(
        options.cursor,
        "This page of callback requests is no longer valid. Start again from the first page.",
      )
    : undefined;
  const assignee = options.assignee;
  const rows = await deps.db
    .select({
      id: callbackRequests.id,
      buttonId: callbackRequests.buttonId,
      name: callbackRequests.name,
      phone: callbackRequests.phone,
      message: callbackRequests.message,
      language: callbackRequests.language,
      status: callbackRequests.status,
      assigneeId: callbackRequests.assigneeId,
      assigneeName: users.name,
      noteCount,
      handledAt: callbackRequests.handledAt,
      createdAt: callbackRequests.createdAt,
      source: callbackRequests.source,
      utmCampaign: callbackRequests.utmCampaign,
      micros: createdMicros,
    })
    .from(callbackRequests)
    .leftJoin(users, eq(users.id, callbackRequests.assigneeId))
    .where(
      and(
        eq(callbackRequests.accountId, accountId),
        options.onlyOpen ? isNull(callbackRequests.handledAt) : undefined,
        options.statuses?.length ? inArray(callbackRequests.status, options.statuses) : undefined,
        assignee?.kind === "unassigned" ? isNull(callbackRequests.assigneeId) : undefined,
        assignee?.kind === "member" ? eq(callbackRequests.assigneeId, assignee.userId) : undefined,
        key
          ? sql`(${callbackRequests.createdAt}, ${callbackRequests.id}) < (${microsToTimestamp(key.micros)}::timestamptz, ${key.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(callbackRequests.createdAt), desc(callbackRequests.id))
    .limit(options.limit + 1);
  const { items, nextCursor } = keysetPage(rows, options.limit);
  return {
    items: items.map(({ micros: _micros, assigneeId, assigneeName, noteCount: notes, ...request }) => ({
      ...request,
      assignee: assigneeId ? { id: assigneeId, name: assigneeName ?? "Former member" } : null,
      noteCount: Number(notes),
    })),
    nextCursor,
  };
}

/** The "handled" switch: done, or back to open (assigned if someone still has it, else new). */
export async function setCallbackHandled(
  deps: Pick<Ports, "db" | "clock">,
  accountId: string,
  id: string,
  handled: boolean,
) {
  const updated = await deps.db
    .update(callbackRequests)
    .set(
      handled
        ? { handledAt: deps.clock.now(), status: "done" }
        : {
            handledAt: null,
            status: sql`case when ${callbackRequests.assigneeId} is null then 'new' else 'assigned' end`,
          },
    )
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)))
    .returning({ id: callbackRequests.id });
  if (updated.length === 0) throw new AppError("NOT_FOUND", "This callback request does not exist.");
  return { ok: true as const };
}
