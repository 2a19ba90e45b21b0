import type { LoggedEvent, PubSub } from "../ports";

/**
 * How long a channel keeps its events for readers that reconnect. Longer than a party may be away
 * before the sweeper ends its call (CONNECTION_LOST_MS), and no longer: the events carry SDP and
 * ICE candidates, which hold IP addresses.
 */
export const EVENT_RETENTION_MS = 120_000;
/** A channel keeps at most about this many events (a busy account's rings), whatever their age. */
export const EVENT_LOG_MAX_LENGTH = 1000;

/** Before every event: where a reader of a channel that held nothing yet stands. */
export const FIRST_EVENT_ID = "0-0";

/**
 * Event ids have Redis Streams' form, `<ms>-<seq>`, in both adapters: ordered within a channel, so
 * a reader recognizes an event it already has.
 */
const EVENT_ID = /^\d{1,16}-\d{1,16}$/;

/** A reader's place in each of its channels, as one tracked id: the ids joined by "_". */
export const EVENT_CURSOR = /^\d{1,16}-\d{1,16}(_\d{1,16}-\d{1,16}){0,3}$/;

export function isEventId(id: string): boolean {
  return EVENT_ID.test(id);
}

export function compareEventIds(a: string, b: string): number {
  // Read without splitting: a live event is compared once per stream it goes to.
  const [aMs, aSeq] = idParts(a);
  const [bMs, bSeq] = idParts(b);
  return aMs - bMs || aSeq - bSeq;
}

function idParts(id: string): [number, number] {
  const dash = id.indexOf("-");
  return dash < 0 ? [Number(id) || 0, 0] : [Number(id.slice(0, dash)) || 0, Number(id.slice(dash + 1)) || 0];
}

/** The next id after `last` at `nowMs`: what Redis's XADD `*` gives, for the in-process log. */
export function nextEventId(last: string, nowMs: number): string {
  const [lastMs = 0, lastSeq = 0] = last.split("-").map(Number);
  return nowMs > lastMs ? `${nowMs}-0` : `${lastMs}-${lastSeq + 1}`;
}

/** One event as a feed yields it: which channel, and the cursor to resume after it. */
export type FeedEntry<T> = { channel: number; cursor: string; event: T };

export type Feed<T> = {
  /**
   * Per channel: true when it continues from the reader's cursor (everything after it is replayed),
   * false when it starts at the channel's latest event (a first connection, or a log that no
   * longer holds all that followed the cursor): the reader then needs the current state instead.
   */
  resumed: boolean[];
  /** The cursor now: after the replay once that is read. */
  cursor(): string;
  /** What the logs held after the cursor, in id order; then `live` has what follows. */
  replay: FeedEntry<T>[];
  /** Live events, each once (none that the replay had), until `signal` aborts or `close()`. */
  live: AsyncGenerator<FeedEntry<T>>;
  close(): Promise<void>;
};

/** Where a reader of channels starts, once subscribed to them (see openFeed). */
export type FeedStart = {
  /** Per channel: whether it continues from the reader's cursor (see Feed.resumed). */
  resumed: boolean[];
  /** Per channel: the id the reader stands at, before the held events. */
  positions: string[];
  /** What the logs hold after the cursor, oldest first across channels. */
  held: Array<{ channel: number; event: LoggedEvent }>;
};

/**
 * Finds where a reader of `names` starts: after `cursor` in each channel whose log still holds
 * everything that followed it (reading that), else at the channel's latest event. Call it once
 * subscribed to the channels, so nothing published meanwhile is missed.
 */
export async function feedStart(
  pubsub: PubSub,
  names: string[],
  cursor: string | undefined,
): Promise<FeedStart> {
  const given = cursor?.split("_");
  const from = given?.length === names.length && given.every(isEventId) ? given : null;
  const reads = await Promise.all(
    names.map(async (name, channel) => {
      const after = from?.[channel];
      if (after) {
        const read = await pubsub.readAfter(name, after);
        if (read.complete) return { position: after, events: read.events, resumed: true };
      }
      return { position: await pubsub.latest(name), events: [], resumed: false };
    }),
  );
  const held = reads.flatMap((read, channel) => read.events.map((event) => ({ channel, event })));
  return {
    resumed: reads.map((read) => read.resumed),
    positions: reads.map((read) => read.position),
    held: held.sort((a, b) => compareEventIds(a.event.id, b.event.id)),
  };
}

/** Moves the channel's position to the event; false for one it is already past (seen once). */
export function advancePosition(positions: string[], channel: number, id: string): boolean {
  if (compareEventIds(id, positions[channel] ?? FIRST_EVENT_ID) <= 0) return false;
  positions[channel] = id;
  return true;
}

/** A reader's place in each of its channels, as one tracked id (EVENT_CURSOR). */
export function cursorOf(positions: string[]): string {
  return positions.join("_");
}

/**
 * Opens a reader of channels that a reconnecting client can resume: it subscribes to them live
 * first, then finds where to start in each (after `cursor` when resuming, reading the log from
 * there; else at the latest event), so nothing published meanwhile is missed. An event is yielded
 * once: a live one the replay (or the start) already covered is dropped by its id.
 */
export async function openFeed<T>(
  pubsub: PubSub,
  names: string[],
  cursor: string | undefined,
  signal: AbortSignal | undefined,
): Promise<Feed<T>> {
  const queue: Array<{ channel: number; event: LoggedEvent }> = [];
  let wake: (() => void) | null = null;
  const unsubscribes = await Promise.all(
    names.map((name, channel) =>
      pubsub.subscribe(name, (event) => {
        queue.push({ channel, event });
        wake?.();
      }),
    ),
  );
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    wake?.();
    await Promise.all(unsubscribes.map((stop) => stop()));
  };
  try {
    const start = await feedStart(pubsub, names, cursor);
    const { positions } = start;
    const current = () => cursorOf(positions);
    const advance = (channel: number, id: string) => advancePosition(positions, channel, id);
    const replay: FeedEntry<T>[] = [];
    for (const { channel, event } of start.held) {
      if (advance(channel, event.id)) replay.push({ channel, cursor: current(), event: event.message as T });
    }
    async function* live(): AsyncGenerator<FeedEntry<T>> {
      const onAbort = () => wake?.();
      signal?.addEventListener("abort", onAbort);
      try {
        while (!closed && !signal?.aborted) {
          const next = queue.shift();
          if (next) {
            if (advance(next.channel, next.event.id)) {
              yield { channel: next.channel, cursor: current(), event: next.event.message as T };
            }
            continue;
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      } finally {
        signal?.removeEventListener("abort", onAbort);
        await close();
      }
    }
    return { resumed: start.resumed, cursor: current, replay, live: live(), close };
  } catch (error) {
    await close();
    throw error;
  }
}
