import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { type FeedEntry, openFeed } from "../event-log";
import { type AgentEvent, channels, type VisitorEvent } from "./channels";
import { isOpen, ringingCalls } from "./signaling";

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
  const names = [channels.accountPhone(accountId), channels.userPhone(userId)];
  const feed = await openFeed<AgentEvent>(deps.pubsub, names, cursor, signal);
  try {
    if (!feed.resumed[0]) {
      for (const call of await ringingCalls(deps, accountId)) {
        yield { channel: 0, cursor: feed.cursor(), event: { type: "ring", call } };
      }
    }
    yield* feed.replay;
    yield* feed.live;
  } finally {
    await feed.close();
  }
}
