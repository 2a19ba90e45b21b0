import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { batched } from "../batched";
import { type FeedEntry, openFeed } from "../event-log";
import { type AgentEvent, channels, type VisitorEvent } from "./channels";
import { isOpen, type RingingCall, ringingCalls } from "./signaling";

/** How often an open stream marks its party as still connected (the call's or the agent's heartbeat). */
export const HEARTBEAT_MS = 10_000;
/**
 * How long a party may be away (its stream dropped, its client reconnecting through the load
 * balancer to another instance) without its call ending: the sweeper's CONNECTION_LOST_MS is at
 * least a heartbeat plus this.
 */
export const RECONNECT_GRACE_MS = 15_000;

type Deps = Pick<Ports, "db" | "pubsub">;

/**
 * The visitor's events for one call, each with the cursor to resume after it. A first connection
 * (or one whose gap the log no longer holds) gets the call's state first; a resumed one gets what
 * was published since its cursor. Then live events, until the call's end.
 */
export async function* visitorFeed(
  deps: Deps,
  sessionId: string,
  cursor: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<FeedEntry<VisitorEvent>> {
  const feed = await openFeed<VisitorEvent>(deps.pubsub, [channels.visitor(sessionId)], cursor, signal);
  try {
    // Subscribed first, then read the state, so nothing between the two is missed.
    const [call] = await deps.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
    if (!call) throw new AppError("NOT_FOUND", "This call does not exist.");
    const ended: VisitorEvent = {
      type: "ended",
      status: call.status,
      reason: call.failureReason,
      durationSeconds: call.durationSeconds,
    };
    const now = (event: VisitorEvent): FeedEntry<VisitorEvent> => ({
      channel: 0,
      cursor: feed.cursor(),
      event,
    });
    if (!feed.resumed[0]) {
      if (!isOpen(call.status)) return yield now(ended);
      yield now(call.status === "in-progress" ? { type: "answered" } : { type: "ringing" });
    }
    for (const entry of feed.replay) {
      yield entry;
      if (entry.event.type === "ended") return;
    }
    // Ended while its notice could not be published: the stored end is the answer.
    if (!isOpen(call.status)) return yield now(ended);
    for await (const entry of feed.live) {
      yield entry;
      if (entry.event.type === "ended") return;
    }
  } finally {
    await feed.close();
  }
}

/** The channels of an agent's phone panel feed, in the order of its cursor. */
export function agentChannels(accountId: string, userId: string): string[] {
  return [channels.accountPhone(accountId), channels.userPhone(userId)];
}

/**
 * The calls ringing now, read once for all the panels that ask in the same turn of the event loop
 * (thousands reconnect together after a restart): each read starts after its callers asked, so
 * none misses a ring published after it subscribed.
 */
const sharedRingingCalls = batched<string, RingingCall[]>(async (db, accountIds) => {
  const calls = await Promise.all(accountIds.map((accountId) => ringingCalls({ db }, accountId)));
  return new Map(accountIds.map((accountId, i) => [accountId, calls[i] ?? []]));
});

/**
 * How a phone panel whose feed did not resume starts: the account's calls ringing its member now
 * (their routing's current step), each as a ring at the feed's cursor (read once subscribed, so
 * no ring falls between the two).
 */
export async function ringingNow(
  deps: Pick<Ports, "db">,
  accountId: string,
  userId: string,
  cursor: string,
): Promise<FeedEntry<AgentEvent>[]> {
  const calls = (await sharedRingingCalls(deps.db, accountId)) ?? [];
  return calls.flatMap(({ rings, ...call }): FeedEntry<AgentEvent>[] =>
    rings === null || rings.includes(userId) ? [{ channel: 0, cursor, event: { type: "ring", call } }] : [],
  );
}

/**
 * An agent's phone panel feed: the account's rings, taken and ended notices, and the signals of
 * the calls this agent answered, each with the cursor to resume after it. Calls already ringing
 * ring here first, unless the panel resumes with nothing lost.
 */
export async function* agentFeed(
  deps: Deps,
  accountId: string,
  userId: string,
  cursor: string | undefined,
  signal: AbortSignal | undefined,
): AsyncGenerator<FeedEntry<AgentEvent>> {
  const feed = await openFeed<AgentEvent>(deps.pubsub, agentChannels(accountId, userId), cursor, signal);
  try {
    if (!feed.resumed[0]) yield* await ringingNow(deps, accountId, userId, feed.cursor());
    yield* feed.replay;
    yield* feed.live;
  } finally {
    await feed.close();
  }
}
