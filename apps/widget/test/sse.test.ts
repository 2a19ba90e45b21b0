// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { GIVE_UP_MS, RETRY_BASE_MS, RETRY_MAX_MS, subscribe } from "../src/sse";

class FakeEventSource {
  static all: FakeEventSource[] = [];
  readyState = 1;
  closed = false;
  onmessage: ((e: { data: string; lastEventId?: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  listeners: Record<string, ((e: { data: string }) => void)[]> = {};
  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, fn: (e: { data: string }) => void) {
    this.listeners[type] = [...(this.listeners[type] ?? []), fn];
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  named(type: string, data = "") {
    for (const fn of this.listeners[type] ?? []) fn({ data });
  }
}

beforeEach(() => {
  FakeEventSource.all = [];
  vi.stubGlobal("EventSource", FakeEventSource);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("a tRPC subscription over EventSource", () => {
  it("sends the input as httpSubscriptionLink does, without credentials, and unwraps superjson data", () => {
    const data: unknown[] = [];
    subscribe(
      "https://api.test/trpc/calls.events",
      { button: "b", sessionId: "s" },
      (v) => data.push(v),
      vi.fn(),
    );
    const es = FakeEventSource.all[0]!;
    const url = new URL(es.url);
    expect(url.pathname).toBe("/trpc/calls.events");
    expect(JSON.parse(url.searchParams.get("input") ?? "")).toEqual({
      json: { button: "b", sessionId: "s" },
    });
    expect(es.init?.withCredentials).toBeFalsy();
    es.named("connected", JSON.stringify({ reconnectAfterInactivityMs: 25000 }));
    es.onmessage?.({ data: JSON.stringify({ json: { type: "ringing" } }) });
    es.onmessage?.({ data: "not json" });
    expect(data).toEqual([{ type: "ringing" }]);
  });

  it("reports an error the procedure sent once, and stops", () => {
    const onError = vi.fn();
    subscribe("https://api.test/trpc/calls.events", {}, vi.fn(), onError);
    const es = FakeEventSource.all[0]!;
    es.named("serialized-error", JSON.stringify({ json: { message: "no" } }));
    expect(es.closed).toBe(true);
    es.onerror?.();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(FakeEventSource.all).toHaveLength(1);
  });

  it("closes on `return`, and reopens a stream that stays silent past the server's inactivity limit", () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const stop = subscribe("https://api.test/trpc/calls.events", {}, vi.fn(), vi.fn());
    const first = FakeEventSource.all[0]!;
    first.named("connected", JSON.stringify({ reconnectAfterInactivityMs: 25000 }));
    vi.advanceTimersByTime(20000);
    first.named("ping");
    vi.advanceTimersByTime(20000);
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(6000);
    expect(first.closed).toBe(true);
    expect(FakeEventSource.all).toHaveLength(2);
    const second = FakeEventSource.all[1]!;
    second.named("return");
    expect(second.closed).toBe(true);
    vi.advanceTimersByTime(60000);
    expect(FakeEventSource.all).toHaveLength(2);
    stop();
  });
});

describe("reconnecting", () => {
  const input = { button: "b", sessionId: "s", token: "t" };
  const inputOf = (es: FakeEventSource) => JSON.parse(new URL(es.url).searchParams.get("input") ?? "").json;

  it("a drop or a refusal (429, 502) is retried by the widget, after a jittered wait that doubles, from the last event", () => {
    vi.useFakeTimers();
    const random = vi.spyOn(Math, "random").mockReturnValue(0.999);
    const data: unknown[] = [];
    const onError = vi.fn();
    subscribe("https://api.test/trpc/calls.events", input, (v) => data.push(v), onError);
    const first = FakeEventSource.all[0]!;
    first.named("connected", "{}");
    first.onmessage?.({ data: JSON.stringify({ json: { type: "ringing" } }), lastEventId: "1700-0" });
    first.onmessage?.({ data: JSON.stringify({ json: { type: "answered" } }), lastEventId: "1700-1" });
    // The connection drops; the browser would retry on its own (CONNECTING): the widget does instead.
    first.readyState = 0;
    first.onerror?.();
    expect(first.closed).toBe(true);
    // Full jitter: up to RETRY_BASE_MS for the first retry, then twice as long each time.
    vi.advanceTimersByTime(RETRY_BASE_MS * 0.999 - 1);
    expect(FakeEventSource.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    const second = FakeEventSource.all[1]!;
    expect(inputOf(second)).toEqual({ ...input, lastEventId: "1700-1" });
    // Refused (a 429 or a proxy's 502 closes an EventSource): the next wait is twice as long.
    second.readyState = 2;
    second.onerror?.();
    vi.advanceTimersByTime(2 * RETRY_BASE_MS * 0.999 - 1);
    expect(FakeEventSource.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.all).toHaveLength(3);
    // Another draw of the jitter waits less: clients that lost the same instance spread out.
    random.mockReturnValue(0.1);
    FakeEventSource.all[2]!.onerror?.();
    vi.advanceTimersByTime(4 * RETRY_BASE_MS * 0.1);
    expect(FakeEventSource.all).toHaveLength(4);
    // Connected again: the wait starts over, and the events resume; nothing was reported as an error.
    const fourth = FakeEventSource.all[3]!;
    expect(inputOf(fourth)).toEqual({ ...input, lastEventId: "1700-1" });
    fourth.named("connected", "{}");
    fourth.onmessage?.({
      data: JSON.stringify({ json: { type: "signal", payload: { kind: "answer" } } }),
      lastEventId: "1700-2",
    });
    random.mockReturnValue(0.999);
    fourth.onerror?.();
    vi.advanceTimersByTime(RETRY_BASE_MS);
    expect(inputOf(FakeEventSource.all[4]!)).toEqual({ ...input, lastEventId: "1700-2" });
    expect(data).toEqual([
      { type: "ringing" },
      { type: "answered" },
      { type: "signal", payload: { kind: "answer" } },
    ]);
    expect(onError).not.toHaveBeenCalled();
  });

  it("waits at most RETRY_MAX_MS between tries, and gives up after GIVE_UP_MS without a stream", () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.999);
    const onError = vi.fn();
    subscribe("https://api.test/trpc/calls.events", input, vi.fn(), onError);
    let waited = 0;
    while (!onError.mock.calls.length && waited < 2 * GIVE_UP_MS) {
      const tries = FakeEventSource.all.length;
      FakeEventSource.all.at(-1)?.onerror?.();
      const before = waited;
      while (FakeEventSource.all.length === tries && !onError.mock.calls.length) {
        vi.advanceTimersByTime(100);
        waited += 100;
      }
      expect(waited - before).toBeLessThanOrEqual(RETRY_MAX_MS);
    }
    expect(onError).toHaveBeenCalledTimes(1);
    expect(waited).toBeGreaterThan(GIVE_UP_MS - RETRY_MAX_MS);
    expect(waited).toBeLessThanOrEqual(GIVE_UP_MS + RETRY_MAX_MS);
    const count = FakeEventSource.all.length;
    vi.advanceTimersByTime(GIVE_UP_MS);
    expect(FakeEventSource.all).toHaveLength(count);
  });

  it("stops for good when closed while waiting to retry", () => {
    vi.useFakeTimers();
    const stop = subscribe("https://api.test/trpc/calls.events", input, vi.fn(), vi.fn());
    FakeEventSource.all[0]!.onerror?.();
    stop();
    vi.advanceTimersByTime(GIVE_UP_MS);
    expect(FakeEventSource.all).toHaveLength(1);
  });
});
