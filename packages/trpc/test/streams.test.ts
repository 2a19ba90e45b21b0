import { describe, expect, it } from "vitest";
import { untilAborted } from "../src/streams";

/** A source that yields what is pushed and waits in between, like a pubsub subscription. */
function source() {
  const queue: number[] = [];
  let wake: (() => void) | null = null;
  let stopped = false;
  const state = {
    cleanedUp: false,
    /** Ends the source's wait, as a closed connection does. */
    stop() {
      stopped = true;
      wake?.();
    },
  };
  async function* generate() {
    try {
      while (!stopped) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      state.cleanedUp = true;
    }
  }
  return {
    state,
    iterable: generate(),
    push(value: number) {
      queue.push(value);
      wake?.();
    },
  };
}

describe("untilAborted", () => {
  it("passes values through, then fails with the abort's reason while the source is still waiting", async () => {
    const s = source();
    const controller = new AbortController();
    const stream = untilAborted(s.iterable, controller.signal);
    s.push(1);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    const waiting = stream.next();
    const reason = new DOMException("The server is shutting down.", "AbortError");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    // The source was mid-wait; it returns (and cleans up) once that wait ends.
    expect(s.state.cleanedUp).toBe(false);
    s.state.stop();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(s.state.cleanedUp).toBe(true);
  });

  it("fails at once when the signal is already aborted", async () => {
    const s = source();
    const controller = new AbortController();
    controller.abort(new DOMException("closing", "AbortError"));
    await expect(untilAborted(s.iterable, controller.signal).next()).rejects.toMatchObject({
      name: "AbortError",
    });
    s.state.stop();
  });

  it("returns the source when the consumer stops first, and ends when the source ends", async () => {
    const s = source();
    const stream = untilAborted(s.iterable, new AbortController().signal);
    s.push(7);
    expect(await stream.next()).toEqual({ value: 7, done: false });
    await stream.return(undefined);
    expect(s.state.cleanedUp).toBe(true);

    async function* two() {
      yield 1;
      yield 2;
    }
    const values: number[] = [];
    for await (const value of untilAborted(two(), new AbortController().signal)) values.push(value);
    expect(values).toEqual([1, 2]);
  });
});
