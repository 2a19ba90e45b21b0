import type { Readable } from "node:stream";
import type { FeedEntry } from "@cac/core";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createMemoryPubSub } from "../src/adapters/pubsub";
import { createLiveHub, DELIVERY_CHUNK, type LiveHub } from "../src/live/hub";

const silent = pino({ level: "silent" });
const serialize = (value: unknown) => JSON.stringify({ json: value });

/** The tracked events a body has carried so far: each id and value, in order. */
function reader(body: Readable) {
  const events: Array<{ id: string; value: unknown }> = [];
  let text = "";
  body.setEncoding("utf8");
  body.on("data", (chunk: string) => {
    text += chunk;
    let end = text.indexOf("\n\n\n");
    while (end >= 0) {
      const block = text.slice(0, end);
      text = text.slice(end + 3);
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const id = /^id: (.*)$/m.exec(block)?.[1];
      if (data && id) events.push({ id, value: (JSON.parse(data) as { json: unknown }).json });
      end = text.indexOf("\n\n\n");
    }
  });
  return { events, values: () => events.map((event) => event.value) };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function until(check: () => boolean) {
  for (let i = 0; i < 2000 && !check(); i++) await turn();
  expect(check()).toBe(true);
}

describe("the live hub", () => {
  let hub: LiveHub;
  const pubsub = createMemoryPubSub();
  afterEach(async () => {
    await hub?.close();
  });
  afterAll(() => pubsub.close());

  const open = (names: string[], cursor?: string, first = async (): Promise<FeedEntry<unknown>[]> => []) =>
    hub.open({ names, cursor, client: { reconnectAfterInactivityMs: 25_000 }, first });

  it("writes each event once to every reader of its channel, in order, a chunk of streams per turn", async () => {
    hub = createLiveHub(pubsub, silent, { serialize, pingMs: 60_000 });
    const count = DELIVERY_CHUNK * 4;
    const readers = await Promise.all(
      Array.from({ length: count }, async (_, i) => reader(await open(["ring:a", `user:${i}`]))),
    );
    const other = reader(await open(["ring:b", "user:other"]));
    await pubsub.publish("ring:a", { n: 1 });
    await pubsub.publish("ring:a", { n: 2 });
    await pubsub.publish("user:7", { n: 3 });
    await pubsub.publish("ring:a", { n: 4 });
    // Delivery runs from the next turn, and yields between chunks: a turn later, only the first
    // chunk of streams has the first ring (other requests are served in between).
    await turn();
    await turn();
    const reached = readers.filter((r) => r.events.length > 0).length;
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(count);
    await until(() => readers.every((r) => r.events.length >= (r === readers[7] ? 4 : 3)));
    for (const [i, r] of readers.entries()) {
      expect(r.values()).toEqual(
        i === 7 ? [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] : [{ n: 1 }, { n: 2 }, { n: 4 }],
      );
      // Each id is the reader's place in both its channels, and grows.
      const ids = r.events.map((event) => event.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.every((id) => /^\d+-\d+_\d+-\d+$/.test(id))).toBe(true);
    }
    expect(other.events).toEqual([]);
  });

  it("sends what came while a reader opened once, after its first events and what it resumed", async () => {
    hub = createLiveHub(pubsub, silent, { serialize, pingMs: 60_000 });
    const first = reader(await open(["feed:c", "feed:d"]));
    await pubsub.publish("feed:c", { n: 1 });
    await until(() => first.events.length === 1);
    const cursor = first.events[0]?.id;
    await pubsub.publish("feed:c", { n: 2 });
    // The next reader resumes after n: 1; n: 3 is published while it opens (after it subscribed).
    const body = await open(["feed:c", "feed:d"], cursor, async () => {
      await pubsub.publish("feed:d", { n: 3 });
      return [{ channel: 0, cursor: cursor ?? "", event: { state: "now" } }];
    });
    const resumed = reader(body);
    await pubsub.publish("feed:c", { n: 4 });
    await until(() => resumed.events.length === 4);
    await turn();
    expect(resumed.values()).toEqual([{ state: "now" }, { n: 2 }, { n: 3 }, { n: 4 }]);
  });

  it("ends every stream when the server drains, and cuts one whose client reads nothing", async () => {
    hub = createLiveHub(pubsub, silent, { serialize, pingMs: 60_000 });
    const stalled = await open(["big:e", "big:f"]);
    const big = "x".repeat(64 * 1024);
    for (let i = 0; i < 20 && !stalled.destroyed; i++) {
      await pubsub.publish("big:e", { big });
      await until(() => stalled.destroyed || stalled.readableLength > i * big.length);
    }
    expect(stalled.destroyed).toBe(true);
    await until(() => hub.size() === 0);

    const live = await open(["big:e", "big:f"]);
    const ended = new Promise<void>((resolve) => live.once("end", () => resolve()));
    live.resume();
    hub.endAll();
    await ended;
  });
});
