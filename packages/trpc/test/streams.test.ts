import { EventEmitter } from "node:events";
import type { LoggedEvent, PubSub } from "@cac/core";
import { FIRST_EVENT_ID, openFeed } from "@cac/core";
import { describe, expect, it } from "vitest";
import { untilAborted } from "../src/streams";

/** In-process fan-out without a log, counting live subscriptions: what a subscription's stream listens to. */
function pubsub() {
  const emitter = new EventEmitter();
  const live = { subscriptions: 0 };
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
