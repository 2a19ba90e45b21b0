import { callSessions, type Db } from "@cac/db";
import { sql } from "drizzle-orm";
import { fieldError } from "../../errors";
import type { Ports } from "../../ports";
import {
  addDays,
  answered,
  billedMinutes,
  DAY_MS,
  filterWhere,
  localDate,
  localDayStart,
  type ResolvedCallLogFilter,
  rowsOf,
} from "./filters";

/** The longest range the charts draw, in days (a year, leap or not). */
export const CHARTS_MAX_DAYS = 366;
/** The range the charts draw when no `from` is given, in days, ending with `to` (default: today). */
export const CHARTS_DEFAULT_DAYS = 30;

export type CallLogTotals = {
  timezone: string;
  calls: number;
  answered: number;
  /** answered / calls; null when there are no calls. */
  answerRate: number | null;
  totalDurationSeconds: number;
  /** Average talk time of the answered calls; null when none was answered. */
  avgDurationSeconds: number | null;
  /** Billed minutes: each call rounded up to the next whole minute. */
  minutes: number;
};

/**
 * Runs an aggregate without parallel workers and without JIT compilation. A per-request
 * aggregate of a few hundred thousand index entries is faster serially on a busy server:
 * measured on a 2-vCPU machine under load (bench/call-log.ts), a parallel plan for 90 days of
 * totals had p50 180 ms against 36–72 ms serially. Workers are also shared by every connection,
 * so one account's chart would take them from all the others. JIT compiles a query whose
 * estimated cost passes jit_above_cost (the charts' one range scan per day does) in ~130 ms,
 * more than the whole aggregate takes when interpreted.
 */
export function serially<T>(db: Db, run: (db: Db) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    await tx.execute(sql`set local jit = off`);
    return run(tx as unknown as Db);
  });
}

export async function callLogTotals(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
): Promise<CallLogTotals> {
  const [row] = await serially(deps.db, (db) =>
    db
      .select({
        calls: sql<number>`count(*)::int`,
        answered: sql<number>`(count(*) filter (where ${answered}))::int`,
        totalDuration: sql<number>`coalesce(sum(${callSessions.durationSeconds}), 0)::float8`,
        minutes: sql<number>`coalesce(sum(${billedMinutes}), 0)::float8`,
      })
      .from(callSessions)
      .where(filterWhere(filter)),
  );
  const calls = Number(row?.calls ?? 0);
  const answeredCalls = Number(row?.answered ?? 0);
  return {
    timezone: filter.timezone,
    calls,
    answered: answeredCalls,
    answerRate: calls ? answeredCalls / calls : null,
    totalDurationSeconds: Number(row?.totalDuration ?? 0),
    // Duration is talk time, counted from the answer: calls not answered add nothing to it.
    avgDurationSeconds: answeredCalls ? Math.round(Number(row?.totalDuration ?? 0) / answeredCalls) : null,
    minutes: Number(row?.minutes ?? 0),
  };
}

export type CallLogCharts = {
  timezone: string;
  /** First and last local day drawn (YYYY-MM-DD, inclusive). */
  from: string;
  to: string;
  /** One entry per local day, all arrays the same length (uPlot's data layout). */
  days: string[];
  /** Unix seconds of each local day's start (uPlot's x values; format them with the timezone). */
  dayStarts: number[];
  calls: number[];
  minutes: number[];
  /** answered / calls per day; null on a day without calls (a gap, not a 0 % day). */
  answerRate: Array<number | null>;
};

type ChartRow = { day: string; start: number | string; calls: number; minutes: number; answered: number };

/**
 * Calls, billed minutes and answer rate per local day, in one round trip. Each local day of the
 * range is turned into its two bounding instants (its midnight and the next, in the timezone:
 * DST days are 23 or 25 hours long), and the day's calls are aggregated straight off that range
 * of the (account, started_at) index, which holds every column the sums read. No call is
 * converted to local time, bucketed or hashed: about a third less work than counting per quarter
 * hour and merging the buckets into days. Every day of the range gets a row, zeros when it had
 * no calls. Without `from`, the last 30 days up to `to` (default: today).
 */
export async function callLogCharts(
  deps: Pick<Ports, "db" | "clock">,
  filter: ResolvedCallLogFilter,
): Promise<CallLogCharts> {
  const tz = filter.timezone;
  const lastDay = filter.to ? localDate(+filter.to - 1, tz) : localDate(deps.clock.now(), tz);
  const firstDay = filter.from ? localDate(filter.from, tz) : addDays(lastDay, 1 - CHARTS_DEFAULT_DAYS);
  const dayCount = Math.round((Date.parse(lastDay) - Date.parse(firstDay)) / DAY_MS) + 1;
  if (dayCount < 1) throw fieldError("to", "The end of the range must be after its start.");
  if (dayCount > CHARTS_MAX_DAYS) {
    throw fieldError("from", `The charts show at most ${CHARTS_MAX_DAYS} days. Choose a shorter range.`);
  }
  const range: ResolvedCallLogFilter = {
    ...filter,
    from: filter.from ?? localDayStart(firstDay, tz),
    to: filter.to ?? localDayStart(addDays(lastDay, 1), tz),
  };
  const dayStart = sql`(d.day at time zone ${tz})`;
  const nextDayStart = sql`((d.day + interval '1 day') at time zone ${tz})`;
  const result = await serially(deps.db, (db) =>
    db.execute(sql`
    select to_char(d.day, 'YYYY-MM-DD') as day,
      extract(epoch from ${dayStart})::float8 as start,
      c.calls, c.minutes, c.answered
    from generate_series(${firstDay}::timestamp, ${lastDay}::timestamp, interval '1 day') as d(day)
    cross join lateral (
      select count(*)::int as calls,
        coalesce(sum(${billedMinutes}), 0)::int as minutes,
        (count(*) filter (where ${answered}))::int as answered
      from ${callSessions}
      where ${filterWhere(range, sql`${callSessions.startedAt} >= ${dayStart} and ${callSessions.startedAt} < ${nextDayStart}`)}
    ) c
    order by d.day`),
  );
  const rows = rowsOf<ChartRow>(result);
  return {
    timezone: tz,
    from: firstDay,
    to: lastDay,
    days: rows.map((r) => r.day),
    dayStarts: rows.map((r) => Number(r.start)),
    calls: rows.map((r) => Number(r.calls)),
    minutes: rows.map((r) => Number(r.minutes)),
    answerRate: rows.map((r) => (Number(r.calls) ? Number(r.answered) / Number(r.calls) : null)),
  };
}
