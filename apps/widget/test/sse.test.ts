// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { subscribe } from "../src/sse";

class FakeEventSource {
  static all: FakeEventSource[] = [];
  readyState = 1;
  closed = false;
  onmessage: ((e: { data: string }) => void) | null = null;
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

  it("reports a serialized error or a refused stream once, and stops", () => {
    const onError = vi.fn();
    subscribe("https://api.test/trpc/calls.events", {}, vi.fn(), onError);
    const es = FakeEventSource.all[0]!;
    es.named("serialized-error", JSON.stringify({ json: { message: "no" } }));
    expect(es.closed).toBe(true);
    es.onerror?.();
    expect(onError).toHaveBeenCalledTimes(1);

    const onError2 = vi.fn();
    subscribe("https://api.test/trpc/calls.events", {}, vi.fn(), onError2);
    const refused = FakeEventSource.all[1]!;
    // A dropped connection (CONNECTING) is retried by the browser: not an error.
    refused.readyState = 0;
    refused.onerror?.();
    expect(onError2).not.toHaveBeenCalled();
    refused.readyState = 2;
    refused.onerror?.();
    expect(onError2).toHaveBeenCalledTimes(1);
  });

  it("closes on `return`, and reopens a stream that stays silent past the server's inactivity limit", () => {
    vi.useFakeTimers();
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
