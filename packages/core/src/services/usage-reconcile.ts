import { accounts, callSessions, subscriptions, usageTotals } from "@cac/db";
import { and, asc, eq, exists, gt, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../ports";
import { rowsOf } from "./call-log/filters";
import { openStatuses } from "./calls/lifecycle";
import { billedMinutesOf, periodAt } from "./usage";

type Deps = Pick<Ports, "db" | "clock" | "log">;

/** The figures of a total: as stored, or as the call log has them. */
export type UsageFigures = { calls: number; usedMinutes: number; reservedMinutes: number };

/** A total the call log disagreed with, and what it was set to. */
export type UsageDrift = {
  accountId: string;
  periodStart: Date;
  stored: UsageFigures;
  log: UsageFigures;
};

export type ReconcileReport = {
  /** `skipped`: another instance was reconciling (it holds the job's lock). */
  outcome: "done" | "skipped";
  /** Totals compared with the log. */
  checked: number;
  /** Totals the log had calls for but that did not exist (they are created, then compared). */
  created: number;
  drifts: UsageDrift[];
};

export type ReconcileOptions = {
  /** Totals compared (and locked) per transaction. */
  batchSize?: number;
  /** A period that ended this long ago is final: calls that span its end have long ended. */
  settleDays?: number;
};

const JOB_LOCK = "cac:job:usage-reconcile";

/**
 * What the call log says a total should be. A call counts in the period it reserved its minutes in
 * (its `usage_period_start`); a call without one (started before usage was kept as totals, or
 * written by hand) counts in the period whose range holds its start. Calls started count; ended
 * ones add their billed minutes, open ones hold their reservation. Test calls (from a button's test
 * page) count in no period.
 */
function logFigures(total: { accountId: SQL; periodStart: SQL; periodEnd: SQL }) {
  const open = inArray(callSessions.status, [...openStatuses]);
  const inTotal = and(
    eq(callSessions.accountId, total.accountId),
    sql`${callSessions.startedAt} >= ${total.periodStart}`,
    sql`${callSessions.startedAt} < ${total.periodEnd}`,
    or(isNull(callSessions.usagePeriodStart), eq(callSessions.usagePeriodStart, total.periodStart)),
    eq(callSessions.test, false),
  );
  return {
    calls: sql<number>`(select count(*) from ${callSessions} where ${inTotal})::int`,
    usedMinutes: sql<number>`(select coalesce(sum(${billedMinutesOf(callSessions.durationSeconds)}) filter (where not ${open}), 0) from ${callSessions} where ${inTotal})::int`,
    reservedMinutes: sql<number>`(select coalesce(sum(${callSessions.reservedMinutes}) filter (where ${open}), 0) from ${callSessions} where ${inTotal})::int`,
  };
}

/**
 * The nightly check of the running totals against the call log (the log is the truth): every
 * total of a period not yet settled is compared, and set to what the log says where they differ.
 * Each drift is logged as the `usage_drift` metric, and the run as `usage_reconcile`.
 *
 * Each batch of totals is locked (`for update`) before the log is read: a call start or end of
 * those accounts waits for the batch's commit and then applies its change to the corrected total,
 * and one that committed before the lock is in the log as read. So the check never loses a start's
 * reservation or an end's minutes. One instance at a time reconciles (an advisory lock per batch).
 */
export async function reconcileUsageTotals(
  deps: Deps,
  options: ReconcileOptions = {},
): Promise<ReconcileReport> {
  const now = deps.clock.now();
  const batchSize = options.batchSize ?? 500;
  const settledBefore = new Date(now.getTime() - (options.settleDays ?? 7) * 86_400_000);
  const created = await createMissingTotals(deps, now);
  const report: ReconcileReport = { outcome: "done", checked: 0, created, drifts: [] };
  let after: { accountId: string; periodStart: Date } | null = null;
  for (;;) {
    const batch = await reconcileBatch(deps, now, settledBefore, after, batchSize);
    if (batch === "skipped") {
      report.outcome = "skipped";
      break;
    }
    report.checked += batch.checked;
    report.drifts.push(...batch.drifts);
    if (!batch.last) break;
    after = batch.last;
  }
  for (const drift of report.drifts) {
    deps.log.warn(
      {
        metric: "usage_drift",
        accountId: drift.accountId,
        periodStart: drift.periodStart.toISOString(),
        stored: drift.stored,
        log: drift.log,
        usedMinutesDrift: drift.stored.usedMinutes - drift.log.usedMinutes,
        reservedMinutesDrift: drift.stored.reservedMinutes - drift.log.reservedMinutes,
        callsDrift: drift.stored.calls - drift.log.calls,
      },
      "usage total drifted from the call log; set to the log's figures",
    );
  }
  deps.log.info(
    {
      metric: "usage_reconcile",
      outcome: report.outcome,
      checked: report.checked,
      created: report.created,
      drifted: report.drifts.length,
      usedMinutesDrift: report.drifts.reduce(
        (n, d) => n + Math.abs(d.stored.usedMinutes - d.log.usedMinutes),
        0,
      ),
    },
    "usage totals reconciled with the call log",
  );
  return report;
}

/**
 * The current period's total of every account whose log has calls in it but that has none (only
 * hand-written calls, or a lost row): created empty, so the comparison below fills it and reports it.
 */
async function createMissingTotals(deps: Deps, now: Date): Promise<number> {
  const period = periodAt(now);
  const missing = deps.db
    .select({ accountId: accounts.id, periodStart: period.start, periodEnd: period.end })
    .from(accounts)
    .leftJoin(subscriptions, eq(subscriptions.accountId, accounts.id))
    .where(
      exists(
        deps.db
          .select({ one: sql`1` })
          .from(callSessions)
          .where(
            and(
              eq(callSessions.accountId, accounts.id),
              sql`${callSessions.startedAt} >= ${period.start}`,
              sql`${callSessions.startedAt} < ${period.end}`,
              eq(callSessions.test, false),
            ),
          ),
      ),
    );
  const result = await deps.db.execute(
    sql`insert into ${usageTotals} (account_id, period_start, period_end) ${missing.getSQL()} on conflict do nothing returning account_id`,
  );
  return rowsOf(result).length;
}

async function reconcileBatch(
  deps: Deps,
  now: Date,
  settledBefore: Date,
  after: { accountId: string; periodStart: Date } | null,
  batchSize: number,
) {
  return deps.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ locked: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${JOB_LOCK})) as locked`),
    );
    if (!lock?.locked) return "skipped" as const;
    const locked = await tx
      .select({ accountId: usageTotals.accountId, periodStart: usageTotals.periodStart })
      .from(usageTotals)
      .where(
        and(
          gt(usageTotals.periodEnd, settledBefore),
          after
            ? sql`(${usageTotals.accountId}, ${usageTotals.periodStart}) > (${after.accountId}::uuid, ${after.periodStart.toISOString()}::timestamptz)`
            : undefined,
        ),
      )
      .orderBy(asc(usageTotals.accountId), asc(usageTotals.periodStart))
      .limit(batchSize)
      .for("update");
    const last = locked.at(-1);
    if (!last) return { checked: 0, drifts: [], last: null };
    // Read after the lock, in a statement of its own: it sees every start and end committed before
    // it. Only the locked totals (one created meanwhile waits for the next run).
    const inBatch = sql`(${usageTotals.accountId}, ${usageTotals.periodStart}) in (${sql.join(
      locked.map((key) => sql`(${key.accountId}::uuid, ${key.periodStart.toISOString()}::timestamptz)`),
      sql`, `,
    )})`;
    const figures = logFigures({
      accountId: sql`${usageTotals.accountId}`,
      periodStart: sql`${usageTotals.periodStart}`,
      periodEnd: sql`${usageTotals.periodEnd}`,
    });
    const compared = await tx
      .select({
        accountId: usageTotals.accountId,
        periodStart: usageTotals.periodStart,
        calls: usageTotals.calls,
        usedMinutes: usageTotals.usedMinutes,
        reservedMinutes: usageTotals.reservedMinutes,
        logCalls: figures.calls,
        logUsedMinutes: figures.usedMinutes,
        logReservedMinutes: figures.reservedMinutes,
      })
      .from(usageTotals)
      .where(inBatch);
    const drifts: UsageDrift[] = [];
    for (const row of compared) {
      const stored = { calls: row.calls, usedMinutes: row.usedMinutes, reservedMinutes: row.reservedMinutes };
      const log = {
        calls: Number(row.logCalls),
        usedMinutes: Number(row.logUsedMinutes),
        reservedMinutes: Number(row.logReservedMinutes),
      };
      if (
        stored.calls === log.calls &&
        stored.usedMinutes === log.usedMinutes &&
        stored.reservedMinutes === log.reservedMinutes
      )
        continue;
      drifts.push({ accountId: row.accountId, periodStart: row.periodStart, stored, log });
      await tx
        .update(usageTotals)
        .set(log)
        .where(and(eq(usageTotals.accountId, row.accountId), eq(usageTotals.periodStart, row.periodStart)));
    }
    await tx.update(usageTotals).set({ reconciledAt: now }).where(inBatch);
    return { checked: compared.length, drifts, last };
  });
}
