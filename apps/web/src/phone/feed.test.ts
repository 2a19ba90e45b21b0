// @vitest-environment happy-dom
import { TRPCClientError } from "@trpc/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FeedHandlers, openFeed, RETRY_BASE_MS, RETRY_MAX_MS } from "./feed";
import type { AgentEvent } from "./types";

/** The `phone.events` subscription as httpSubscriptionLink reports it to its observer. */
type Observer = {
  onData(event: { id: string; data: AgentEvent }): void;
  onConnectionStateChange(state: { state: string; error: unknown }): void;
  onError(error: unknown): void;
};

let opened: Array<{ input: unknown; observer: Observer; unsubscribed: boolean }>;
const client = {
  phone: {
    events: {
      subscribe(input: unknown, observer: Observer) {
        const subscription = { input, observer, unsubscribed: false };
        opened.push(subscription);
        return {
          unsubscribe: () => {
            subscription.unsubscribed = true;
          },
        };
      },
    },
  },
};
const current = () => opened.at(-1)!;
const ring = {
  type: "ring" as const,
  call: {
    sessionId: "s1",
    buttonId: "b",
    buttonName: "Main",
    pageUrl: null,
    startedAt: "2026-03-02T15:00:00Z",
  },
};
/** A dropped connection, as the link reports it (the EventSource retrying). */
const dropped = () =>
  current().observer.onConnectionStateChange({ state: "connecting", error: new TRPCClientError("network") });

const handlers = {
  event: vi.fn<FeedHandlers["event"]>(),
  state: vi.fn<FeedHandlers["state"]>(),
  closed: vi.fn<FeedHandlers["closed"]>(),
};
beforeEach(() => {
  opened = [];
  for (const handler of Object.values(handlers)) handler.mockReset();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("the phone panel's feed", () => {
  it("a drop is retried here after a jittered wait that doubles, resuming from the last event's id", () => {
    const random = vi.spyOn(Math, "random").mockReturnValue(0.999);
    const stop = openFeed(client as never, handlers);
    expect(current().input).toBeUndefined();
    expect(handlers.state).toHaveBeenLastCalledWith("connecting");
    current().observer.onConnectionStateChange({ state: "pending", error: null });
    expect(handlers.state).toHaveBeenLastCalledWith("open");
    current().observer.onData({ id: "1700-3", data: ring });
    expect(handlers.event).toHaveBeenCalledWith(ring);

    // The instance stopped: the browser would retry at its own fixed pace; the feed takes over.
    dropped();
    expect(opened[0]?.unsubscribed).toBe(true);
    expect(handlers.state).toHaveBeenLastCalledWith("reconnecting");
    vi.advanceTimersByTime(RETRY_BASE_MS * 0.999 - 1);
    expect(opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(current().input).toEqual({ lastEventId: "1700-3" });

    // Refused without a reason the app can read (a 429 or a proxy's 502 closes the EventSource):
    // retried too, after twice the wait.
    current().observer.onError(new TRPCClientError("EventSource failed"));
    vi.advanceTimersByTime(2 * RETRY_BASE_MS * 0.999 - 1);
    expect(opened).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(opened).toHaveLength(3);
    // Another draw of the jitter: clients that lost the same instance spread out.
    random.mockReturnValue(0.25);
    dropped();
    vi.advanceTimersByTime(4 * RETRY_BASE_MS * 0.25);
    expect(opened).toHaveLength(4);

    // Open again: the wait starts over, and the id moves on with the events.
    current().observer.onConnectionStateChange({ state: "pending", error: null });
    expect(handlers.state).toHaveBeenLastCalledWith("open");
    current().observer.onData({
      id: "1700-4",
      data: { type: "taken", sessionId: "s1", byUserId: "u2", byName: "Dana" },
    });
    random.mockReturnValue(0.999);
    dropped();
    vi.advanceTimersByTime(RETRY_BASE_MS);
    expect(current().input).toEqual({ lastEventId: "1700-4" });
    expect(handlers.closed).not.toHaveBeenCalled();
    stop();
    expect(current().unsubscribed).toBe(true);
  });

  it("keeps trying, never waiting more than RETRY_MAX_MS", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.999);
    openFeed(client as never, handlers);
    for (let failure = 0; failure < 12; failure++) {
      const count = opened.length;
      current().observer.onError(new TRPCClientError("EventSource failed"));
      vi.advanceTimersByTime(RETRY_MAX_MS);
      expect(opened).toHaveLength(count + 1);
    }
    expect(handlers.closed).not.toHaveBeenCalled();
  });

  it("stops for good when the server refuses with a reason, and when closed while waiting", () => {
    openFeed(client as never, handlers);
    const expired = new TRPCClientError("Please log in again.", {
      result: { error: { message: "Please log in again.", code: -32001, data: { code: "UNAUTHORIZED" } } },
    } as never);
    current().observer.onError(expired);
    expect(handlers.closed).toHaveBeenCalledWith(expired);
    vi.advanceTimersByTime(RETRY_MAX_MS);
    expect(opened).toHaveLength(1);

    const stop = openFeed(client as never, handlers);
    dropped();
    stop();
    vi.advanceTimersByTime(RETRY_MAX_MS);
    expect(opened).toHaveLength(2);
  });
});
