/**
 * The live feed (`phone.events`): rings, signals, and calls taken or ended, for every line.
 *
 * A feed that drops or is refused (its instance stopped, a proxy's 502, too many streams: 429) is
 * reopened here rather than by the browser's fixed-pace retry: after a jittered wait that doubles
 * with each failure (up to RETRY_MAX_MS), with the last event's id, so the server (whichever
 * instance answers) sends what was missed and nothing twice. A call in progress is not touched:
 * its audio flows browser to browser. `closed` means it stopped for good: the server refused it
 * with a reason (e.g. the session expired).
 */
import type { AppRouter } from "@cac/trpc";
import type { TRPCClient } from "@trpc/client";
import { isClientError } from "../lib/errors";
import type { AgentEvent, FeedState } from "./types";

export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 30_000;

export type FeedHandlers = {
  event(event: AgentEvent): void;
  state(state: Exclude<FeedState, "off">): void;
  closed(error: unknown): void;
};

/** Opens the feed; returns what closes it. */
export function openFeed(client: TRPCClient<AppRouter>, handlers: FeedHandlers): () => void {
  let subscription: { unsubscribe(): void } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastEventId: string | undefined;
  let failures = 0;
  let stopped = false;

  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    subscription?.unsubscribe();
    subscription = null;
  };
  /** The stream is gone: open another after a jittered, growing wait (full jitter). */
  const retry = () => {
    if (stopped) return;
    subscription?.unsubscribe();
    subscription = null;
    handlers.state("reconnecting");
    clearTimeout(timer);
    timer = setTimeout(connect, Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures++));
  };
  function connect() {
    if (!failures) handlers.state("connecting");
    subscription = client.phone.events.subscribe(lastEventId ? { lastEventId } : undefined, {
      onData: ({ id, data }) => {
        lastEventId = id;
        handlers.event(data as AgentEvent);
      },
      onConnectionStateChange: (change) => {
        if (change.state === "pending") {
          failures = 0;
          handlers.state("open");
        } else if (change.state === "connecting" && change.error) retry();
      },
      onError: (error) => {
        // The server's own refusal (it sent an error shape) will not change by retrying.
        if (isClientError(error) && error.data?.code) {
          stop();
          handlers.closed(error);
        } else retry();
      },
    });
  }
  connect();
  return stop;
}
