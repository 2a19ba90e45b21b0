import { EVENT_LOG_MAX_LENGTH, EVENT_RETENTION_MS, FIRST_EVENT_ID, openFeed, type PubSub } from "@cac/core";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createMemoryPubSub, createRedisPubSub } from "../src/adapters/pubsub";
import { unique } from "./harness";
import { redisForSuite } from "./redis-server";

const silent = pino({ level: "silent" });

/** Reads a feed's replay and live events until `count` have come (or a second passes). */
async function take<T>(feed: Awaited<ReturnType<typeof openFeed<T>>>, count: number) {
  const got = feed.replay.map((entry) => entry.event);
  const deadline = Date.now() + 1000;
  while (got.length < count && Date.now() < deadline) {
    const next = await Promise.race([
      feed.live.next(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 50)),
    ]);
    if (next && !next.done) got.push(next.value.event);
  }
  return got;
}

const adapters: Array<[string, () => Promise<{ pubsub: PubSub; stop(): Promise<void> }>]> = [
  ["in-process", async () => ({ pubsub: createMemoryPubSub(), stop: async () => {} })],
  [
    "Redis",
    async () => {
      const redis = await redisForSuite();
      const pubsub = createRedisPubSub(redis.url, silent, unique("cac-log"));
      return {
        pubsub,
        stop: async () => {
          await pubsub.close();
          await redis.stop();
        },
      };
    },
  ],
];

describe.each(adapters)("the event log (%s)", (_name, open) => {
  let pubsub: PubSub;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ pubsub, stop } = await open());
  });
  afterAll(() => stop());

  it("gives increasing ids, and reads a channel from any of them on", async () => {
    expect(await pubsub.latest("c1")).toBe(FIRST_EVENT_ID);
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await pubsub.publish("c1", { n }));
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect(await pubsub.latest("c1")).toBe(ids[2]);
    expect(await pubsub.readAfter("c1", ids[0]!)).toEqual({
      events: [
        { id: ids[1], message: { n: 2 } },
        { id: ids[2], message: { n: 3 } },
      ],
      complete: true,
    });
    expect(await pubsub.readAfter("c1", FIRST_EVENT_ID)).toMatchObject({ complete: true });
    expect((await pubsub.readAfter("c1", FIRST_EVENT_ID)).events).toHaveLength(3);
    // A channel that holds nothing: complete from the start, not from an id it no longer has.
    expect(await pubsub.readAfter("none", FIRST_EVENT_ID)).toEqual({ events: [], complete: true });
    expect(await pubsub.readAfter("none", ids[0]!)).toEqual({ events: [], complete: false });
  });

  it("keeps about EVENT_LOG_MAX_LENGTH events; a read from before the first one kept says it is incomplete", async () => {
    const first = await pubsub.publish("long", { n: 0 });
    for (let n = 1; n < EVENT_LOG_MAX_LENGTH + 300; n++) await pubsub.publish("long", { n });
    const read = await pubsub.readAfter("long", first);
    expect(read.complete).toBe(false);
    expect(read.events.length).toBeLessThan(EVENT_LOG_MAX_LENGTH + 299);
    expect(read.events.length).toBeGreaterThanOrEqual(EVENT_LOG_MAX_LENGTH);
    // From an id it still holds, it has everything after it.
    const kept = read.events[10]!.id;
    expect(await pubsub.readAfter("long", kept)).toMatchObject({ complete: true });
  });

  it("a feed resuming while events are published yields each once: subscribed first, replayed, deduped", async () => {
    const seen = await pubsub.publish("race", "a");
    await pubsub.publish("race", "b");
    // "c" is published after the feed subscribed and before it read the log: it is in both.
    const racing: PubSub = {
      ...pubsub,
      readAfter: async (channel, afterId) => {
        await pubsub.publish("race", "c");
        await new Promise((resolve) => setTimeout(resolve, 50));
        return pubsub.readAfter(channel, afterId);
      },
    };
    const feed = await openFeed<string>(racing, ["race"], seen, undefined);
    expect(feed.resumed).toEqual([true]);
    await pubsub.publish("race", "d");
    // Asked for four, it has three after a second: "c" came once.
    expect(await take(feed, 4)).toEqual(["b", "c", "d"]);
    await feed.close();
  });

  it("a first feed starts at the latest event, and a multi-channel cursor resumes each channel", async () => {
    await pubsub.publish("x", "old");
    const feed = await openFeed<string>(pubsub, ["x", "y"], undefined, undefined);
    expect(feed.resumed).toEqual([false, false]);
    await pubsub.publish("y", "y1");
    await pubsub.publish("x", "x1");
    const entries = [];
    for (let i = 0; i < 2; i++) entries.push((await feed.live.next()).value);
    await feed.close();
    expect(entries.map((entry) => entry?.event)).toEqual(["y1", "x1"]);
    const afterY1 = entries[0]!.cursor;
    await pubsub.publish("y", "y2");
    const resumed = await openFeed<string>(pubsub, ["x", "y"], afterY1, undefined);
    expect(resumed.resumed).toEqual([true, true]);
    expect(resumed.replay.map((entry) => entry.event)).toEqual(["x1", "y2"]);
    await resumed.close();
    // A cursor of another shape (another feed's) starts over, like a first connection.
    const other = await openFeed<string>(pubsub, ["x", "y"], "5-0", undefined);
    expect(other.resumed).toEqual([false, false]);
    await other.close();
  });
});

describe("the in-process event log forgets", () => {
  afterEach(() => vi.useRealTimers());

  it("events older than EVENT_RETENTION_MS, and a channel quiet that long", async () => {
    vi.useFakeTimers({ toFake: ["Date", "setInterval", "clearInterval"] });
    const pubsub = createMemoryPubSub();
    const first = await pubsub.publish("sdp", { sdp: "v=0" });
    vi.advanceTimersByTime(EVENT_RETENTION_MS / 2);
    const second = await pubsub.publish("sdp", { sdp: "v=1" });
    vi.advanceTimersByTime(EVENT_RETENTION_MS / 2 + 1);
    await pubsub.publish("sdp", { sdp: "v=2" });
    const read = await pubsub.readAfter("sdp", first);
    expect(read.complete).toBe(false);
    expect(read.events.map((e) => e.id)).not.toContain(first);
    expect(await pubsub.readAfter("sdp", second)).toMatchObject({ complete: true });
    vi.advanceTimersByTime(EVENT_RETENTION_MS + EVENT_RETENTION_MS / 4);
    expect(await pubsub.latest("sdp")).toBe(FIRST_EVENT_ID);
    expect(await pubsub.readAfter("sdp", second)).toEqual({ events: [], complete: false });
    await pubsub.close();
  });
});

describe("the Redis event log forgets", () => {
  it("keeps a channel's key only EVENT_RETENTION_MS after its last event", async () => {
    const redis = await redisForSuite();
    const prefix = unique("cac-ttl");
    const pubsub = createRedisPubSub(redis.url, silent, prefix);
    await pubsub.publish("sdp", { sdp: "v=0" });
    const { Redis } = await import("ioredis");
    const probe = new Redis(redis.url);
    const ttl = await probe.pttl(`${prefix}:sdp`);
    expect(ttl).toBeGreaterThan(EVENT_RETENTION_MS - 5000);
    expect(ttl).toBeLessThanOrEqual(EVENT_RETENTION_MS);
    probe.disconnect();
    await pubsub.close();
    await redis.stop();
  });
});
