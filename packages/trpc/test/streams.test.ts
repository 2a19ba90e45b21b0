import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import type { PubSub } from "../src/ports";
import { listen } from "../src/services/calls/channels";
import { untilAborted } from "../src/streams";

/** In-process fan-out, counting live subscriptions: what a subscription's stream listens to. */
function pubsub() {
  const emitter = new EventEmitter();
  const live = { subscriptions: 0 };
  const port: PubSub = {
    mode: "memory",
    publish: async (channel, message) => {
      emitter.emit(channel, message);
    },
    subscribe: async (channel, onMessage) => {
      emitter.on(channel, onMessage);
      live.subscriptions++;
      return async () => {
        emitter.off(channel, onMessage);
        live.subscriptions--;
      };
    },
    check: async () => {},
    close: async () => {},
  };
  return { port, live };
}

const shutdown = () => new DOMException("The server is shutting down.", "AbortError");

describe("untilAborted over a subscription's stream", () => {
  it("passes messages through, then fails with the abort's reason while the stream is still waiting", async () => {
    const { port, live } = pubsub();
    const request = new AbortController();
    const closing = new AbortController();
    const stream = untilAborted(listen<number>(port, ["c"], request.signal), closing.signal);
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
    const stream = untilAborted(listen<number>(pubsub().port, ["c"], undefined), closing.signal);
    await expect(stream.next()).rejects.toMatchObject({ name: "AbortError" });
  });

  it("returns the stream when the consumer stops first, and ends when the source ends", async () => {
    const { port, live } = pubsub();
    const stream = untilAborted(listen<number>(port, ["c"], undefined), new AbortController().signal);
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
