/**
 * Usage is a running total per account and period (usage_totals). A call start reserves its
 * minutes with the statement that creates the call, so calls started at once on several instances
 * never hold more than the quota; a call's end adds its billed minutes and gives the reservation
 * back with the statement that ends it, so it counts once whichever instances race to end it. The
 * nightly reconciliation compares the totals with the call log and reports any drift. Two apps
 * share one database (a pool each on Postgres, as two processes would have).
 */
import {
  endCall,
  getUsage,
  type Logger,
  reconcileUsageTotals,
  sweepStaleCalls,
  touchAgent,
  touchCall,
} from "@cac/core";
import { callSessions, createDb, type DbHandle, usageTotals } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  errorOf,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

const SHOP = "https://shop.test";

type Deployment = {
  a: Harness;
  b: Harness;
  advance(ms: number): void;
  /**
   * The agent's panel heartbeat, and its live stream, as seen by both instances (presence is per
   * instance without Redis).
   */
  heartbeat(userId: string, accountId: string): Promise<void>;
  close(): Promise<void>;
};

/** Two instances on one database; their jobs are off (the tests run the sweeper and the check). */
async function startDeployment(): Promise<Deployment> {
  const shared = await createTestDb();
  const second: DbHandle = shared.url ? await createDb({ url: shared.url, maxConnections: 5 }) : shared;
  const limits = { "call.button": LIFTED, "call.ip": LIFTED };
  const a = await startHarness({ db: shared, limits, build: { jobs: false } });
  const b = await startHarness({ db: second, limits, build: { jobs: false, emailWorker: false } });
  const held = new Set<string>();
  return {
    a,
    b,
    advance(ms) {
      a.clock.advance(ms);
      b.clock.advance(ms);
    },
    async heartbeat(userId, accountId) {
      if (!held.has(userId)) {
        held.add(userId);
        for (const h of [a, b]) h.ports.presence.holdStream({ accountId, userId });
      }
      await Promise.all([touchAgent(a.ports, userId), touchAgent(b.ports, userId)]);
    },
    async close() {
      await b.close();
      await a.close();
    },
  };
}

/** An account on the Free plan (60 minutes a month, 10 per call) whose owner answers in the portal. */
async function business(h: Harness) {
  const { client: owner } = await signupVerified(h);
  const me = (await owner.trpc.account.me.query())!;
  const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
  const panel = await readyToAnswer(h.url, owner);
  return { owner, ownerId: me.user.id, accountId: me.account.id, button, panel };
}
type Business = Awaited<ReturnType<typeof business>>;

/** A visitor's click on the button, through instance `h`. */
async function startCall(h: Harness, shop: Business) {
  const visitor: TestClient = h.client({ origin: SHOP, ip: uniqueIp() });
  const started = await visitor.trpc.calls.start.mutate({ button: shop.button.publicId });
  if (started.transport !== "webrtc") throw new Error("expected a browser call");
  const capability = { button: shop.button.publicId, sessionId: started.sessionId, token: started.token };
  return { visitor, sessionId: started.sessionId, capability };
}

async function total(h: Harness, accountId: string, periodStart: Date) {
  const [row] = await h.db.db
    .select()
    .from(usageTotals)
    .where(and(eq(usageTotals.accountId, accountId), eq(usageTotals.periodStart, periodStart)));
  return row;
}

async function callRow(h: Harness, sessionId: string) {
  const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
  return row!;
}

/** A logger that keeps what it was given, to read the metric lines. */
function capturingLog() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown> | string, message?: string) => {
    if (typeof fields === "string") lines.push({ level, fields: {}, message: fields });
    else lines.push({ level, fields, message: message ?? "" });
  };
  const log = {
    fatal: at("fatal"),
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
  } as unknown as Logger;
  return { log, lines };
}

const MARCH = new Date("2026-03-01T00:00:00Z");
const APRIL = new Date("2026-04-01T00:00:00Z");

describe("usage totals on two instances", () => {
  let d: Deployment;
  beforeAll(async () => {
    d = await startDeployment();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => d?.close(), HARNESS_TIMEOUT_MS);

  it("calls started at once on two instances never reserve more than the quota: each holds its time limit, the rest are refused", async () => {
    const shop = await business(d.a);
    await d.heartbeat(shop.ownerId, shop.accountId);
    // 60 minutes, 10 per call: six calls fit, the other ten are over quota, whichever instance.
    const attempts = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => startCall(i % 2 ? d.b : d.a, shop)),
    );
    const started = attempts.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    const refused = attempts.flatMap((r) => (r.status === "rejected" ? [errorOf(r.reason)] : []));
    expect(started).toHaveLength(6);
    expect(refused.map((e) => e.data?.appCode)).toEqual(Array(10).fill("OVER_QUOTA"));
    const rows = await Promise.all(started.map((call) => callRow(d.a, call.sessionId)));
    expect(rows.map((row) => row.reservedMinutes)).toEqual(Array(6).fill(10));
    expect(await total(d.a, shop.accountId, MARCH)).toMatchObject({
      calls: 6,
      usedMinutes: 0,
      reservedMinutes: 60,
    });
    expect(await getUsage(d.a.ports, shop.accountId)).toMatchObject({
      minutesUsed: 0,
      minutesReserved: 60,
      minutesLeft: 0,
    });

    // Each answered call may last its reservation; one that ends gives back what it did not use.
    const [first, second] = started;
    const answered = await shop.owner.trpc.phone.answer.mutate({ sessionId: first!.sessionId });
    expect(answered.maxCallSeconds).toBe(600);
    d.advance(61_000);
    await first!.visitor.trpc.calls.hangUp.mutate(first!.capability);
    await second!.visitor.trpc.calls.hangUp.mutate(second!.capability);
    expect(await total(d.a, shop.accountId, MARCH)).toMatchObject({ usedMinutes: 2, reservedMinutes: 40 });

    // 18 minutes left: racing starts get 10, then 8, then nothing.
    await d.heartbeat(shop.ownerId, shop.accountId);
    const more = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => startCall(i % 2 ? d.b : d.a, shop)),
    );
    const moreStarted = more.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(more.filter((r) => r.status === "rejected")).toHaveLength(4);
    const reserved = await Promise.all(
      moreStarted.map(async (c) => (await callRow(d.a, c.sessionId)).reservedMinutes),
    );
    expect(reserved.sort((x, y) => (y ?? 0) - (x ?? 0))).toEqual([10, 8]);
    expect(await total(d.a, shop.accountId, MARCH)).toMatchObject({ usedMinutes: 2, reservedMinutes: 58 });

    for (const call of [...started.slice(2), ...moreStarted])
      await call.visitor.trpc.calls.hangUp.mutate(call.capability);
    expect(await total(d.a, shop.accountId, MARCH)).toMatchObject({
      calls: 8,
      usedMinutes: 2,
      reservedMinutes: 0,
    });
  });

  it("a call's end racing on two instances (hang-ups, direct ends, sweepers) adds its minutes once and gives its reservation back once", async () => {
    const shop = await business(d.a);
    for (let round = 0; round < 4; round++) {
      await d.heartbeat(shop.ownerId, shop.accountId);
      const before = (await total(d.a, shop.accountId, MARCH)) ?? { usedMinutes: 0, calls: 0 };
      const call = await startCall(round % 2 ? d.b : d.a, shop);
      await shop.owner.trpc.phone.answer.mutate({ sessionId: call.sessionId });
      // 2 minutes and 5 seconds of talk: 3 billed minutes.
      d.advance(125_000);
      await touchCall(d.a.ports, call.sessionId);
      await d.heartbeat(shop.ownerId, shop.accountId);
      const onB = d.b.client({ origin: SHOP, ip: uniqueIp() });
      const results = await Promise.all([
        call.visitor.trpc.calls.hangUp.mutate(call.capability),
        onB.trpc.calls.hangUp.mutate(call.capability),
        endCall(d.a.ports, call.sessionId, "completed", null),
        endCall(d.b.ports, call.sessionId, "completed", null),
        sweepStaleCalls(d.a.ports, 30),
        sweepStaleCalls(d.b.ports, 30),
      ]);
      const [hungUpA, hungUpB, endA, endB] = results;
      expect(
        Number(hungUpA.ended) + Number(hungUpB.ended) + Number(endA !== null) + Number(endB !== null),
      ).toBe(1);
      expect(await callRow(d.a, call.sessionId)).toMatchObject({ status: "completed", durationSeconds: 125 });
      expect(await total(d.a, shop.accountId, MARCH)).toMatchObject({
        calls: before.calls + 1,
        usedMinutes: before.usedMinutes + 3,
        reservedMinutes: 0,
      });
    }
    const check = await reconcileUsageTotals({ ...d.b.ports, log: capturingLog().log });
    expect(check.drifts.filter((drift) => drift.accountId === shop.accountId)).toEqual([]);
  });

  it("the reconciliation racing call ends never loses a minute, and corrects and reports a drift it finds", async () => {
    const shop = await business(d.a);
    await d.heartbeat(shop.ownerId, shop.accountId);
    const calls = [];
    for (let i = 0; i < 4; i++) {
      const call = await startCall(i % 2 ? d.b : d.a, shop);
      await shop.owner.trpc.phone.answer.mutate({ sessionId: call.sessionId });
      calls.push(call);
    }
    d.advance(30_000);
    // The check runs on A while the calls end on B: each end is counted once, either way round.
    const [checked] = await Promise.all([
      reconcileUsageTotals({ ...d.a.ports, log: capturingLog().log }),
      ...calls.map((call) => endCall(d.b.ports, call.sessionId, "completed", null)),
    ]);
    expect(checked.drifts.filter((drift) => drift.accountId === shop.accountId)).toEqual([]);
    expect(await total(d.a, shop.accountId, MARCH)).toMatchObject({
      calls: 4,
      usedMinutes: 4,
      reservedMinutes: 0,
    });

    // A total that drifted (a lost update, a hand edit) and one that went missing.
    await d.a.db.db
      .update(usageTotals)
      .set({ usedMinutes: 11, reservedMinutes: 3 })
      .where(eq(usageTotals.accountId, shop.accountId));
    const other = await business(d.b);
    await touchAgent(d.b.ports, other.ownerId);
    const lost = await startCall(d.b, other);
    await lost.visitor.trpc.calls.hangUp.mutate(lost.capability);
    await d.a.db.db.delete(usageTotals).where(eq(usageTotals.accountId, other.accountId));
    expect((await getUsage(d.a.ports, shop.accountId)).minutesLeft).toBe(60 - 11 - 3);

    const { log, lines } = capturingLog();
    const report = await reconcileUsageTotals({ ...d.a.ports, log });
    expect(report.outcome).toBe("done");
    expect(report.created).toBe(1);
    const mine = report.drifts.filter((drift) => [shop.accountId, other.accountId].includes(drift.accountId));
    expect(mine).toHaveLength(2);
    expect(mine.find((drift) => drift.accountId === shop.accountId)).toEqual({
      accountId: shop.accountId,
      periodStart: MARCH,
      stored: { calls: 4, usedMinutes: 11, reservedMinutes: 3 },
      log: { calls: 4, usedMinutes: 4, reservedMinutes: 0 },
    });
    expect(mine.find((drift) => drift.accountId === other.accountId)).toMatchObject({
      stored: { calls: 0, usedMinutes: 0, reservedMinutes: 0 },
      log: { calls: 1, usedMinutes: 0, reservedMinutes: 0 },
    });
    // The metric: one line per drift, with a stable shape, and one for the run.
    const drift = lines.find(
      (l) => l.fields.metric === "usage_drift" && l.fields.accountId === shop.accountId,
    );
    expect(drift).toMatchObject({
      level: "warn",
      fields: {
        metric: "usage_drift",
        periodStart: MARCH.toISOString(),
        usedMinutesDrift: 7,
        reservedMinutesDrift: 3,
        callsDrift: 0,
      },
    });
    expect(lines.find((l) => l.fields.metric === "usage_reconcile")).toMatchObject({
      level: "info",
      fields: { outcome: "done", created: 1, drifted: report.drifts.length },
    });

    // Corrected: the quota reads the log's figures, and the next run finds nothing.
    expect(await getUsage(d.a.ports, shop.accountId)).toMatchObject({ minutesUsed: 4, minutesReserved: 0 });
    expect(await getUsage(d.a.ports, other.accountId)).toMatchObject({ calls: 1, minutesUsed: 0 });
    const again = await reconcileUsageTotals({ ...d.a.ports, log: capturingLog().log });
    expect(again.drifts).toEqual([]);
  });
});

describe("usage across the end of a period", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("a call started in March and ended in April bills March; April starts with every minute and a total of its own", async () => {
    // March 31, 23:57 UTC (the account signs up then: a month-old portal session would have expired).
    h.clock.advance(APRIL.getTime() - h.clock.now().getTime() - 3 * 60_000);
    const shop = await business(h);
    await touchAgent(h.ports, shop.ownerId);
    const call = await startCall(h, shop);
    expect(await callRow(h, call.sessionId)).toMatchObject({ usagePeriodStart: MARCH, reservedMinutes: 10 });
    await shop.owner.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    expect(await getUsage(h.ports, shop.accountId)).toMatchObject({
      periodStart: MARCH,
      periodEnd: APRIL,
      minutesReserved: 10,
      minutesLeft: 50,
    });

    // Past midnight: a new period, with all its minutes, while the March call still holds its own.
    h.clock.advance(5 * 60_000);
    expect(await getUsage(h.ports, shop.accountId)).toMatchObject({
      periodStart: APRIL,
      periodEnd: new Date("2026-05-01T00:00:00Z"),
      calls: 0,
      minutesUsed: 0,
      minutesReserved: 0,
      minutesLeft: 60,
    });
    await touchCall(h.ports, call.sessionId);
    await call.visitor.trpc.calls.hangUp.mutate(call.capability);
    expect(await total(h, shop.accountId, MARCH)).toMatchObject({
      calls: 1,
      usedMinutes: 5,
      reservedMinutes: 0,
    });
    expect(await total(h, shop.accountId, APRIL)).toBeUndefined();

    // April's first call opens April's total.
    await touchAgent(h.ports, shop.ownerId);
    const april = await startCall(h, shop);
    expect(await callRow(h, april.sessionId)).toMatchObject({ usagePeriodStart: APRIL, reservedMinutes: 10 });
    expect(await total(h, shop.accountId, APRIL)).toMatchObject({
      periodEnd: new Date("2026-05-01T00:00:00Z"),
      calls: 1,
      usedMinutes: 0,
      reservedMinutes: 10,
    });
    await april.visitor.trpc.calls.hangUp.mutate(april.capability);

    // The check agrees with both: the March call counts in March, where it started.
    const report = await reconcileUsageTotals({ ...h.ports, log: capturingLog().log });
    expect(report.drifts).toEqual([]);
    expect(report.checked).toBeGreaterThanOrEqual(2);
  });
});
