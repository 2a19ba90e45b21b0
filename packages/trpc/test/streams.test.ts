import { EventEmitter } from "node:events";
import type { LoggedEvent, PubSub } from "@cac/core";
import { FIRST_EVENT_ID, openFeed, presenceChannel, presenceNotices } from "@cac/core";
import { describe, expect, it } from "vitest";
import { untilAborted } from "../src/streams";

/**
 * In-process fan-out without a log, counting live subscriptions and listeners of notices: what a
 * subscription's stream listens to.
 */
function pubsub() {
  const emitter = new EventEmitter();
  const notices = new EventEmitter();
  const live = { subscriptions: 0, listeners: 0 };
  let seq = 0;
  const port: PubSub = {
    mode: "memory",
    publish: async (channel, message) => {
      const event: LoggedEvent = { id: `1-${++seq}`, message };
      emitter.emit(channel, event);
      return event.id;
    },
    subscribe: async (channel, onEvent) => {
      emitter.on(channel, onEvent);
      live.subscriptions++;
      return async () => {
        emitter.off(channel, onEvent);
        live.subscriptions--;
      };
    },
    latest: async () => FIRST_EVENT_ID,
    readAfter: async () => ({ events: [], complete: false }),
    notify: async (channel, message) => {
      notices.emit(channel, message);
    },
    listen: async (channel, onMessage) => {
      notices.on(channel, onMessage);
      live.listeners++;
      return async () => {
        notices.off(channel, onMessage);
        live.listeners--;
      };
    },
    check: async () => {},
    close: async () => {},
  };
  return { port, live };
}

/** A subscription's events from channel "c" of the port, as its procedure reads them. */
async function* listen(port: PubSub, signal: AbortSignal | undefined) {
  const feed = await openFeed<number>(port, ["c"], undefined, signal);
  for await (const entry of feed.live) yield entry.event;
}

const shutdown = () => new DOMException("The server is shutting down.", "AbortError");

describe("untilAborted over a subscription's stream", () => {
  it("passes messages through, then fails with the abort's reason while the stream is still waiting", async () => {
    const { port, live } = pubsub();
    const request = new AbortController();
    const closing = new AbortController();
    const stream = untilAborted(listen(port, request.signal), closing.signal);
    const first = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await port.publish("c", 1);
    expect(await first).toEqual({ value: 1, done: false });

    const waiting = stream.next();
    const reason = shutdown();
    closing.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // The stream was mid-wait; it unsubscribes once that wait ends (its response closed).
    expect(live.subscriptions).toBe(1);
    request.abort();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(live.subscriptions).toBe(0);
  });

  it("fails at once when the server is already closing", async () => {
    const closing = new AbortController();
    closing.abort(shutdown());
    const stream = untilAborted(listen(pubsub().port, undefined), closing.signal);
    await expect(stream.next()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("returns the stream when the consumer stops first, and ends when the source ends", async () => {
    const { port, live } = pubsub();
    const stream = untilAborted(listen(port, undefined), new AbortController().signal);
    const first = stream.next();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await port.publish("c", 7);
    expect(await first).toEqual({ value: 7, done: false });
    await stream.return(undefined);
    expect(live.subscriptions).toBe(0);

    async function* two() {
      yield 1;
      yield 2;
    }
    const values: number[] = [];
    for await (const value of untilAborted(two(), new AbortController().signal)) values.push(value);
    expect(values).toEqual([1, 2]);
  });
});

describe("presenceNotices (the team.presence stream)", () => {
  it("says it listens first, then yields each notice of its account only, and stops listening with the request", async () => {
    const { port, live } = pubsub();
    const request = new AbortController();
    const stream = untilAborted(
      presenceNotices({ pubsub: port }, "a1", request.signal),
      new AbortController().signal,
    );
    expect(await stream.next()).toEqual({ value: { type: "listening" }, done: false });
    expect(live.listeners).toBe(1);
    // Heard while nobody was reading yet: kept for the next read, in order.
    await port.notify(presenceChannel("a2"), { userId: "other", reachable: true });
    await port.notify(presenceChannel("a1"), { userId: "u1", reachable: false });
    await port.notify(presenceChannel("a1"), { userId: "u2", reachable: true });
    expect((await stream.next()).value).toEqual({ type: "member", userId: "u1", reachable: false });
    expect((await stream.next()).value).toEqual({ type: "member", userId: "u2", reachable: true });

    const waiting = stream.next();
    request.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(live.listeners).toBe(0);
  });
});
