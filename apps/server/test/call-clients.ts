import type { AppRouter } from "@cac/trpc";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { OPEN_BEAT_MS } from "../src/live/phone-events";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { type Harness, signupVerified, type TestClient } from "./harness";
import { readSse, subscriptionUrl } from "./sse-reader";

/** A client that can also hold SSE subscriptions, sharing the test client's cookies and Origin. */
export function withSubscriptions(url: string, client: TestClient) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({
          url: `${url}/trpc`,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: client.fetch },
        }),
        false: httpLink({ url: `${url}/trpc`, transformer: superjson, fetch: client.fetch }),
      }),
    ],
  });
}

/** Collects a subscription's events and lets a test wait for the one it expects. */
export function collect<T>() {
  const events: T[] = [];
  const waiters: Array<{ match: (e: T) => boolean; resolve: (e: T) => void }> = [];
  return {
    events,
    push(event: T) {
      events.push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    },
    next(match: (e: T) => boolean, timeoutMs = 10_000): Promise<T> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`event not received; got ${JSON.stringify(events)}`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
  };
}

/**
 * A fresh owner with an always-open button, reachable (set available, a phone panel open: so its
 * calls ring), logged in on `h`.
 */
export async function availableOwner(h: Harness) {
  const { client } = await signupVerified(h);
  const button = await client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
  const panel = await readyToAnswer(h.url, client);
  return { owner: client, button, panel };
}

/**
 * Makes `client`'s member reachable, as a portal tab does: sets them available and holds their phone
 * panel's live stream (drop it to close the tab), then waits until the server counts them reachable.
 */
export async function readyToAnswer(url: string, client: TestClient) {
  await client.trpc.phone.setAvailable.mutate({ available: true });
  const panel = await readSse(subscriptionUrl(url, "phone.events"), { fetch: client.fetch });
  if (panel.status !== 200) throw new Error(`the phone panel did not open: ${JSON.stringify(panel.refusal)}`);
  for (let i = 0; !(await client.trpc.phone.availability.query()).reachable; i++) {
    if (i > 100) throw new Error("the member never became reachable");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The panel's opening beat lands OPEN_BEAT_MS after it opened, stamped with the server's clock:
  // past it, a test that moves a fake clock decides alone when the member was last heard from.
  await new Promise((resolve) => setTimeout(resolve, 2 * OPEN_BEAT_MS));
  return panel;
}
