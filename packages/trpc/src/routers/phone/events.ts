import { agentFeed, type Context, HEARTBEAT_MS, requireSession, touchAgent } from "@cac/core";
import { tracked } from "@trpc/server";
import { transformer } from "../../transformer";
import { authedProcedure } from "../../trpc";
import { lastEventIdInput } from "../events.schema";

const phoneEventsInput = lastEventIdInput.optional();

/**
 * The portal phone panel's live feed (SSE): rings for the account, and signals for calls this
 * agent answered. While it is open the agent counts as present. Events are tracked, so a panel
 * that lost the stream resumes from the last one it got, on whichever instance it reaches.
 *
 * The server streams this feed itself (apps/server/src/live: one subscription per channel, each
 * event serialized once for every panel), after `phoneEventsRequest`; this procedure defines it,
 * and answers whatever does not open a stream there (no session, a bad input) with its errors.
 */
export const phoneEventsProcedure = authedProcedure.input(phoneEventsInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  await touchAgent(ctx, ctx.user.id);
  const release = ctx.presence.holdStream({ accountId: ctx.account.id, userId: ctx.user.id });
  const heartbeat = setInterval(() => {
    touchAgent(ctx, ctx.user.id).catch((error) => ctx.log.warn({ err: error }, "agent heartbeat failed"));
  }, HEARTBEAT_MS);
  try {
    for await (const entry of agentFeed(ctx, ctx.account.id, ctx.user.id, input?.lastEventId, signal)) {
      yield tracked(entry.cursor, entry.event);
    }
  } finally {
    clearInterval(heartbeat);
    release();
  }
});

/** A subscription request as tRPC reads it: the `input` query parameter, and a reconnect's id. */
export type SubscriptionRequest = { input: string | undefined; lastEventId: string | undefined };

/**
 * What phone.events checks before it streams, for a server that streams the feed itself: the
 * session (as the authed tier does) and the input (as tRPC reads a subscription's, the id a
 * reconnecting EventSource sends included). Throws where the procedure would refuse.
 */
export async function phoneEventsRequest(ctx: Context, request: SubscriptionRequest) {
  const auth = await requireSession(ctx);
  const raw =
    request.input === undefined ? undefined : transformer.input.deserialize(JSON.parse(request.input));
  // As tRPC merges it: into an object input, or as the whole input when there is none.
  const merged =
    request.lastEventId === undefined
      ? raw
      : raw !== null && typeof raw === "object"
        ? { ...raw, lastEventId: request.lastEventId }
        : (raw ?? { lastEventId: request.lastEventId });
  const input = phoneEventsInput.parse(merged);
  return { accountId: auth.account.id, userId: auth.user.id, lastEventId: input?.lastEventId };
}

/** One event's data as a tracked SSE event carries it (superjson, as tRPC serializes outputs). */
export function serializeEvent(value: unknown): string {
  return JSON.stringify(transformer.output.serialize(value));
}
