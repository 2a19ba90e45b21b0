// The widget's `calls.start` on the real app, set up so every request goes the whole way and
// succeeds: an enabled button open all week on an allowed site, portal ringing, an owner who is
// an available agent (kept "seen" while the bench runs), and the call.ip / call.button limits
// lifted. Each request comes from its own visitor address behind the trusted proxy, as a busy
// site's clicks do (one address making thousands of calls is, rightly, flagged as abuse), and
// creates a ringing call session, as a visitor's click does.

import type { LimitPolicy, Limits } from "@cac/core";
import { AGENT_PRESENCE_MS, touchAgent } from "@cac/core";
import { users } from "@cac/db";
import { eq } from "drizzle-orm";
import { createBenchButton } from "./bench-button";
import { PORTAL_ORIGIN, type RealApp, signUpAndVerify } from "./real-app";

export const SITE_HOST = "shop.example.com";

/** High enough that a bench never reaches them: every request is counted but none refused. */
const LIFTED: LimitPolicy = { points: 1_000_000_000, durationSeconds: 60 };
export const liftedCallLimits: Partial<Limits> = { "call.ip": LIFTED, "call.button": LIFTED };

/**
 * The longest ring the server allows (RING_TIMEOUT_SECONDS): the calls of a run of a few
 * minutes all still ring when it ends. Ending an unanswered call (an update, events, the
 * missed-call email) is not part of calls.start; left at 30 s it would land on whatever is
 * measured half a minute later.
 */
export const BENCH_RING_SECONDS = 300;

export type CallsStart = {
  /** The request, as a bench target describes it. */
  request: {
    url: string;
    method: "POST";
    headers: Record<string, string>;
    body: string;
    visitorIps: true;
    expectBody: string;
  };
  publicId: string;
  accountId: string;
  /** Stops keeping the agent seen. */
  stopPresence(): void;
};

/** Signs an owner up, creates the button, makes the owner available and keeps them seen. */
export async function prepareCallsStart(app: RealApp): Promise<CallsStart> {
  const { cookie, email } = await signUpAndVerify(app);
  const publicId = await createBenchButton(app, cookie, SITE_HOST);

  // The agent goes available through the portal's own procedure, as the phone panel does.
  const available = await fetch(`${app.url}/trpc/phone.setAvailable`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_ORIGIN, cookie },
    body: JSON.stringify({ json: { available: true } }),
  });
  if (!available.ok) throw new Error(`phone.setAvailable answered ${available.status}`);
  const [owner] = await app.db.db
    .select({ id: users.id, accountId: users.accountId, available: users.agentAvailable })
    .from(users)
    .where(eq(users.email, email));
  if (!owner?.available) throw new Error("the bench owner did not become an available agent");
  const { id: userId, accountId } = owner;

  // An agent counts as available for AGENT_PRESENCE_MS after their panel's last heartbeat; the
  // open panel touches it every few seconds, so the bench does the same while it runs.
  const presence = setInterval(
    () => void touchAgent(app.ports, userId).catch(() => {}),
    Math.min(10_000, AGENT_PRESENCE_MS / 3),
  );
  presence.unref();

  return {
    request: {
      url: `${app.url}/trpc/calls.start`,
      method: "POST",
      // What the widget sends from the customer's page: JSON, the page's Origin, no cookie.
      headers: { "content-type": "application/json", origin: `https://${SITE_HOST}` },
      body: JSON.stringify({ json: { button: publicId, pageUrl: `https://${SITE_HOST}/contact` } }),
      // Each click from another visitor, as a busy site's are (the app must run with trustProxy).
      visitorIps: true,
      expectBody: '"sessionId"',
    },
    publicId,
    accountId,
    stopPresence: () => clearInterval(presence),
  };
}
