// The widget's `calls.start` on the real app, set up so every request goes the whole way and
// succeeds: an enabled button open all week on an allowed site, portal ringing, an owner who is
// an available agent (kept "seen" while the bench runs), and the call.ip / call.button limits
// lifted. Each request comes from its own visitor address behind the trusted proxy, as a busy
// site's clicks do (one address making thousands of calls is, rightly, flagged as abuse), and
// creates a ringing call session, as a visitor's click does.

import type { LimitPolicy, Limits } from "@cac/core";
import { AGENT_PRESENCE_MS, touchAgent } from "@cac/core";
import { accounts, buttons, memberships, users } from "@cac/db";
import { eq, sql } from "drizzle-orm";
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
  /** Stops keeping the agent seen (and giving back the bench calls' reserved minutes). */
  stopPresence(): void;
};

export type CallsStartOptions = {
  /**
   * Calls the account already has in its current usage period before the bench starts (a busy
   * account's month), seeded with one `insert … select generate_series`.
   */
  periodCalls?: number;
};

/** Signs an owner up, creates the button, makes the owner available and keeps them seen. */
export async function prepareCallsStart(app: RealApp, options: CallsStartOptions = {}): Promise<CallsStart> {
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
    .select({ id: users.id, accountId: memberships.accountId, available: memberships.available })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
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
  // And a panel's live stream is held, as an open portal tab holds one: the agent is reachable.
  const releaseStream = app.ports.presence.holdStream({ accountId, userId });

  // The Pro plan's minutes: a run starts thousands of calls that all still ring when it ends.
  await app.db.db.update(accounts).set({ plan: "pro" }).where(eq(accounts.id, accountId));
  if (options.periodCalls) await seedPeriodCalls(app, accountId, publicId, options.periodCalls);
  const release = await releaseReservedMinutes(app, accountId);

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
    stopPresence: () => {
      clearInterval(presence);
      releaseStream();
      release?.stop();
    },
  };
}

/**
 * `count` finished calls of the account spread over its current usage period (the calendar month,
 * UTC: the bench account has no subscription) up to a minute ago, as a busy account's month. They
 * went unanswered, so they bill no minutes and leave the quota for the bench's own calls; they
 * have no visitor address, so the abuse counts of the bench's visitors never see them.
 */
export async function seedPeriodCalls(app: RealApp, accountId: string, publicId: string, count: number) {
  const [button] = await app.db.db
    .select({ id: buttons.id })
    .from(buttons)
    .where(eq(buttons.publicId, publicId));
  const now = Date.now();
  const start = new Date(now);
  const periodStart = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1);
  const stepMs = Math.max(1, Math.floor((now - 60_000 - periodStart) / count));
  await app.db.db.execute(sql`
    insert into call_sessions
      (account_id, button_id, transport, status, failure_reason, started_at, ended_at, last_activity_at, duration_seconds)
    select ${accountId}::uuid, ${button?.id ?? null}::uuid, 'webrtc', 'no-answer', 'No one answered in time.',
      t, t + interval '30 seconds', t + interval '30 seconds', 0
    from (
      select ${new Date(periodStart).toISOString()}::timestamptz + (i * ${stepMs}) * interval '1 millisecond' as t
      from generate_series(0, ${count - 1}) as i
    ) seeded`);
  // Vacuumed, analyzed and written out now, so neither autovacuum nor a checkpoint of the seeding
  // lands on the measurement (CHECKPOINT needs a superuser; without one, that part is skipped).
  await app.db.db.execute(sql`vacuum analyze call_sessions`);
  if (app.db.kind === "postgres") await app.db.db.execute(sql`checkpoint`).catch(() => {});
  // Where usage is kept as a running total, the seeded log is brought into it as the nightly
  // reconciliation would (the server's own code, found only where it exists).
  const core = (await import("@cac/core")) as Record<string, unknown>;
  const reconcile = core.reconcileUsageTotals as ((deps: typeof app.ports) => Promise<unknown>) | undefined;
  if (reconcile) await reconcile(app.ports);
}

/**
 * Where a call start reserves minutes of the quota until the call ends, the bench's calls (which
 * all still ring when a run ends) would use up even the Pro plan's 3,000 minutes within a second.
 * A trigger on the bench's own database gives every reservation back as it is written, as those
 * calls' endings would. (A timer doing it every 50 ms fell behind under load: a few starts were
 * refused OVER_QUOTA, which invalidated the run.) Nothing to do where the server keeps no
 * reservations.
 */
async function releaseReservedMinutes(app: RealApp, _accountId: string) {
  const result = await app.db.db.execute(sql`select to_regclass('usage_totals')::text as t`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
    t: string | null;
  }>;
  if (!rows[0]?.t) return null;
  await app.db.db.execute(sql`
    create or replace function bench_calls_end_at_once() returns trigger language plpgsql as $$
    begin
      new.reserved_minutes := 0;
      return new;
    end $$`);
  await app.db.db.execute(sql`
    create trigger bench_calls_end_at_once before insert or update on usage_totals
    for each row execute function bench_calls_end_at_once()`);
  await app.db.db.execute(sql`update usage_totals set reserved_minutes = 0`);
  return { stop: () => {} };
}
