import { buttons, type CallSession, callSessions, type Db } from "@cac/db";
import { and, desc, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { instantsForWallTime, wallClock } from "../domain/schedule";
import { AppError, fieldError } from "../errors";
import type { Ports } from "../ports";
import { CSV_FORMULA_STARTS, CSV_SKIPPED_LEADING, csvCell } from "./call-log-csv";
import { openStatuses } from "./calls/lifecycle";

export type CallStatus = CallSession["status"];
export type CallTransport = CallSession["transport"];

/** The filters as the procedures and the export receive them (already shape-checked by zod). */
export type CallLogFilterParams = {
  buttonId?: string | undefined;
  statuses?: CallStatus[] | undefined;
  from?: Date | string | undefined;
  to?: Date | string | undefined;
};

/** Filters checked against the account and turned into instants: `from` inclusive, `to` exclusive. */
export type ResolvedCallLogFilter = {
  accountId: string;
  timezone: string;
  buttonId: string | undefined;
  statuses: CallStatus[] | undefined;
  from: Date | undefined;
  to: Date | undefined;
};

type AccountScope = { id: string; timezone: string };

const DAY_MS = 24 * 60 * 60 * 1000;
/** The longest range the charts draw, in days (a year, leap or not). */
export const CHARTS_MAX_DAYS = 366;
/** The range the charts draw when no `from` is given, in days, ending with `to` (default: today). */
export const CHARTS_DEFAULT_DAYS = 30;
/** At most this many calls in progress are listed (the oldest are least likely to still be live). */
export const LIVE_MAX = 100;
export const DELETED_BUTTON = "Deleted button";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant a local calendar day starts in `timeZone` (the first instant after a DST gap). */
export function localDayStart(date: string, timeZone: string): Date {
  const [first] = instantsForWallTime(Date.parse(`${date}T00:00:00Z`), 0, timeZone);
  if (first === undefined) throw new Error(`no instant starts ${date} in ${timeZone}`);
  return new Date(first);
}

/** The local calendar day (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDate(instant: Date | number, timeZone: string): string {
  return wallClock(+instant, timeZone).date;
}

function toInstant(value: Date | string, timeZone: string, end: boolean): Date {
  if (value instanceof Date) return value;
  if (DATE_ONLY.test(value)) return localDayStart(end ? addDays(value, 1) : value, timeZone);
  return new Date(value);
}

/**
 * Checks the filters: the button must be the account's (NOT_FOUND otherwise, the same answer as
 * for a button that does not exist), dates are days in the account's timezone, and the range
 * must not be empty.
 */
export async function resolveCallLogFilter(
  deps: Pick<Ports, "db">,
  account: AccountScope,
  input: CallLogFilterParams,
): Promise<ResolvedCallLogFilter> {
  const timezone = account.timezone;
  if (input.buttonId) {
    const [button] = await deps.db
      .select({ id: buttons.id })
      .from(buttons)
      .where(and(eq(buttons.id, input.buttonId), eq(buttons.accountId, account.id)));
    if (!button) throw new AppError("NOT_FOUND", "This button does not exist or was deleted.");
  }
  const from = input.from === undefined ? undefined : toInstant(input.from, timezone, false);
  const to = input.to === undefined ? undefined : toInstant(input.to, timezone, true);
  for (const [field, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value && Number.isNaN(+value)) throw fieldError(field, `The ${field} date is not a valid date.`);
  }
  if (from && to && +from >= +to) throw fieldError("to", "The end of the range must be after its start.");
  return {
    accountId: account.id,
    timezone,
    buttonId: input.buttonId,
    statuses: input.statuses?.length ? [...new Set(input.statuses)] : undefined,
    from,
    to,
  };
}

/** The WHERE clause of a filter; always scoped by the account. */
function filterWhere(f: ResolvedCallLogFilter, extra?: SQL): SQL {
  return (
    and(
      eq(callSessions.accountId, f.accountId),
      f.buttonId ? eq(callSessions.buttonId, f.buttonId) : undefined,
      f.statuses ? inArray(callSessions.status, f.statuses) : undefined,
      f.from ? gte(callSessions.startedAt, f.from) : undefined,
      f.to ? lt(callSessions.startedAt, f.to) : undefined,
      extra,
    ) ?? sql`false`
  );
}

/** A call counts as answered once someone picked up (`completed` without an answer is `canceled`). */
const answered = sql`(${callSessions.answeredAt} is not null or ${callSessions.status} in ('in-progress', 'completed'))`;
/** Billed minutes of one call: each call rounds up to the next whole minute, as billing does. */
const billedMinutes = sql`((${callSessions.durationSeconds} + 59) / 60)`;

// --- Keyset cursor ---------------------------------------------------------------------------
// Postgres keeps microseconds, JavaScript dates milliseconds: the cursor carries the exact
// microseconds since the epoch (read in SQL) and the id, so equal timestamps never skip or repeat.

export type Keyset = { micros: bigint; id: string; inclusive?: boolean };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const startedMicros = sql<string>`(extract(epoch from ${callSessions.startedAt}) * 1000000)::bigint::text`;

export function encodeCursor(key: { micros: bigint | string; id: string }): string {
  return Buffer.from(`${key.micros}.${key.id}`).toString("base64url");
}

export function decodeCursor(
  cursor: string,
  invalid = "This page of the call log is no longer valid. Start again from the first page.",
): Keyset {
  const [micros, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split(".");
  if (!micros || !/^\d{1,17}$/.test(micros) || !id || !UUID.test(id) || extra !== undefined) {
    throw fieldError("cursor", invalid);
  }
  return { micros: BigInt(micros), id };
}

/**
 * A page out of `limit + 1` rows read in keyset order: the first `limit`, and the cursor of the
 * last of them when there was more (null on the last page).
 */
export function keysetPage<T extends { micros: string; id: string }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items.at(-1);
  return { items, nextCursor: more && last ? encodeCursor({ micros: last.micros, id: last.id }) : null };
}

/** An exact timestamptz literal (microseconds) for a keyset bound. */
export function microsToTimestamp(micros: bigint): string {
  const ms = micros / 1000n;
  const rest = (micros % 1000n).toString().padStart(3, "0");
  return new Date(Number(ms)).toISOString().replace("Z", `${rest}Z`);
}

function keysetWhere(key: Keyset | undefined): SQL | undefined {
  if (!key) return undefined;
  const at = microsToTimestamp(key.micros);
  return key.inclusive
    ? sql`(${callSessions.startedAt}, ${callSessions.id}) <= (${at}::timestamptz, ${key.id}::uuid)`
    : sql`(${callSessions.startedAt}, ${callSessions.id}) < (${at}::timestamptz, ${key.id}::uuid)`;
}

// --- List ------------------------------------------------------------------------------------

export type CallLogRow = {
  id: string;
  startedAt: Date;
  /** The button, or `{ id: null, name: "Deleted button" }` once it was deleted. */
  button: { id: string | null; name: string };
  durationSeconds: number;
  status: CallStatus;
  transport: CallTransport;
  visitorIp: string | null;
  pageUrl: string | null;
  failureReason: string | null;
};

function toRow(r: {
  id: string;
  startedAt: Date;
  buttonId: string | null;
  buttonName: string | null;
  durationSeconds: number;
  status: CallStatus;
  transport: CallTransport;
  visitorIp: string | null;
  pageUrl: string | null;
  failureReason: string | null;
}): CallLogRow {
  return {
    id: r.id,
    startedAt: r.startedAt,
    button: r.buttonId
      ? { id: r.buttonId, name: r.buttonName ?? DELETED_BUTTON }
      : { id: null, name: DELETED_BUTTON },
    durationSeconds: r.durationSeconds,
    status: r.status,
    transport: r.transport,
    visitorIp: r.visitorIp,
    pageUrl: r.pageUrl,
    failureReason: r.failureReason,
  };
}

/** One page of the filtered log, newest first, and the cursor of the next page (null on the last). */
export async function listCallLog(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
  page: { cursor?: string | null | undefined; limit: number },
): Promise<{ timezone: string; items: CallLogRow[]; nextCursor: string | null }> {
  const key = page.cursor ? decodeCursor(page.cursor) : undefined;
  const rows = await deps.db
    .select({
      id: callSessions.id,
      startedAt: callSessions.startedAt,
      micros: startedMicros,
      buttonId: callSessions.buttonId,
      buttonName: buttons.name,
      durationSeconds: callSessions.durationSeconds,
      status: callSessions.status,
      transport: callSessions.transport,
      visitorIp: callSessions.visitorIp,
      pageUrl: callSessions.pageUrl,
      failureReason: callSessions.failureReason,
    })
    .from(callSessions)
    .leftJoin(buttons, eq(buttons.id, callSessions.buttonId))
    .where(filterWhere(filter, keysetWhere(key)))
    .orderBy(desc(callSessions.startedAt), desc(callSessions.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = keysetPage(rows, page.limit);
  return { timezone: filter.timezone, items: items.map(toRow), nextCursor };
}

// --- Totals ----------------------------------------------------------------------------------

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
function serially<T>(db: Db, run: (db: Db) => Promise<T>): Promise<T> {
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

// --- Charts ----------------------------------------------------------------------------------

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

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

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

// --- Live ------------------------------------------------------------------------------------

export type LiveCall = {
  id: string;
  startedAt: Date;
  answeredAt: Date | null;
  status: CallStatus;
  transport: CallTransport;
  button: { id: string | null; name: string };
  visitorIp: string | null;
  pageUrl: string | null;
};

/** Calls of the account not yet ended (initiated, ringing, in progress), newest first. */
export async function liveCalls(
  deps: Pick<Ports, "db">,
  account: AccountScope,
): Promise<{ timezone: string; items: LiveCall[] }> {
  const rows = await deps.db
    .select({
      id: callSessions.id,
      startedAt: callSessions.startedAt,
      answeredAt: callSessions.answeredAt,
      status: callSessions.status,
      transport: callSessions.transport,
      buttonId: callSessions.buttonId,
      buttonName: buttons.name,
      visitorIp: callSessions.visitorIp,
      pageUrl: callSessions.pageUrl,
    })
    .from(callSessions)
    .leftJoin(buttons, eq(buttons.id, callSessions.buttonId))
    .where(and(eq(callSessions.accountId, account.id), inArray(callSessions.status, [...openStatuses])))
    .orderBy(desc(callSessions.startedAt), desc(callSessions.id))
    .limit(LIVE_MAX);
  return {
    timezone: account.timezone,
    items: rows.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      answeredAt: r.answeredAt,
      status: r.status,
      transport: r.transport,
      button: r.buttonId
        ? { id: r.buttonId, name: r.buttonName ?? DELETED_BUTTON }
        : { id: null, name: DELETED_BUTTON },
      visitorIp: r.visitorIp,
      pageUrl: r.pageUrl,
    })),
  };
}

// --- Export ----------------------------------------------------------------------------------

export const EXPORT_BATCH = 10_000;
/** Rows per string handed to the server (~100 KB: below V8's large-object size). */
export const EXPORT_CHUNK_ROWS = 500;

/**
 * Prepares an export of the filtered log: pins its newest row, so calls that start while the
 * export runs are left out and the count announced first is the number of rows written (unless
 * rows are deleted meanwhile), and counts the rows.
 */
export async function prepareCallExport(deps: Pick<Ports, "db">, filter: ResolvedCallLogFilter) {
  const [top] = await deps.db
    .select({ id: callSessions.id, micros: startedMicros })
    .from(callSessions)
    .where(filterWhere(filter))
    .orderBy(desc(callSessions.startedAt), desc(callSessions.id))
    .limit(1);
  if (!top) return { total: 0, start: undefined };
  const start: Keyset = { micros: BigInt(top.micros), id: top.id, inclusive: true };
  const [counted] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(callSessions)
    .where(filterWhere(filter, keysetWhere(start)));
  return { total: Number(counted?.n ?? 0), start };
}

// --- CSV lines built by Postgres --------------------------------------------------------------

/**
 * isFormulaLike in SQL: a tab or CR first, or a formula start after the leading whitespace. Most
 * cells start with neither a formula start nor whitespace, and skip the trimming.
 */
function neutralized(x: SQL): SQL {
  const rest = sql`ltrim(${x}, ${CSV_SKIPPED_LEADING}::text)`;
  return sql`(case when strpos(${CSV_FORMULA_STARTS + CSV_SKIPPED_LEADING}::text, left(${x}, 1)) = 0 then ${x}
    when left(${x}, 1) in (chr(9), chr(13))
      or (${rest} <> '' and strpos(${CSV_FORMULA_STARTS}::text, left(${rest}, 1)) > 0)
    then '''' || ${x} else ${x} end)`;
}

/** One CSV cell (RFC 4180) of a text expression, exactly as csvCell writes it in TypeScript. */
export function csvText(x: SQL): SQL {
  return sql`(case when ${x} is null then ''
    when strpos(${x}, '"') + strpos(${x}, ',') + strpos(${x}, chr(10)) + strpos(${x}, chr(13)) > 0
      then '"' || replace(${neutralized(x)}, '"', '""') || '"'
    else ${neutralized(x)} end)`;
}

/**
 * The filtered log as CSV text, one keyset batch at a time, newest first. Postgres writes each
 * line, so the server handles one string per row instead of a dozen values.
 */
export async function* callExportLineBatches(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
  start: Keyset | undefined,
  batchSize = EXPORT_BATCH,
): AsyncGenerator<string> {
  const tz = filter.timezone;
  // The line ends with one constant (folded when planned), so each line is concatenated once.
  const line = sql<string>`concat_ws(',',
      ${callSessions.id}::text,
      to_char(${callSessions.startedAt} at time zone ${tz}, 'YYYY-MM-DD HH24:MI:SS'),
      to_char(${callSessions.startedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      coalesce(button.cell, ${csvCell(DELETED_BUTTON)}),
      ${callSessions.status},
      ${callSessions.transport},
      ${callSessions.durationSeconds}::text,
      ${billedMinutes}::text,
      ${csvText(sql`${callSessions.visitorIp}`)},
      ${csvText(sql`${callSessions.pageUrl}`)},
      ${csvText(sql`${callSessions.failureReason}`)}) || (chr(13) || chr(10))`;
  type Chunk = { text: string; micros: string | null; id: string | null };
  // Postgres joins the lines into chunks of EXPORT_CHUNK_ROWS (in order) and names the batch's
  // last row for the next batch: the server handles a few strings per batch instead of an object
  // per row, and each string is small enough for V8's young generation, so it is freed cheaply.
  // The button's cell is written once per button, not per call: the lateral subquery is kept
  // apart (offset 0) so the join memoizes its result by button id. The cursor of the batch's
  // last row is computed for that row only (aggregate filters run before their arguments).
  const fetch = async (key: Keyset) =>
    rowsOf<Chunk>(
      await deps.db.execute(sql`
        select (n - 1) / ${EXPORT_CHUNK_ROWS} as chunk, string_agg(line, '' order by n) as text,
          max((extract(epoch from started_at) * 1000000)::bigint::text) filter (where n = ${batchSize}) as micros,
          max(id::text) filter (where n = ${batchSize}) as id
        from (
          select ${line} as line, ${callSessions.startedAt} as started_at, ${callSessions.id} as id,
            row_number() over (order by ${callSessions.startedAt} desc, ${callSessions.id} desc) as n
          from ${callSessions}
          left join lateral (
            select ${csvText(sql`${buttons.name}`)} as cell from ${buttons}
            where ${buttons.id} = ${callSessions.buttonId} offset 0
          ) button on true
          where ${filterWhere(filter, keysetWhere(key))}
          order by ${callSessions.startedAt} desc, ${callSessions.id} desc
          limit ${batchSize}
        ) batch
        group by chunk
        order by chunk`),
    );
  // The next batch is asked for as soon as this one arrives, so Postgres reads it while this one
  // is written out.
  let pending = start ? fetch(start) : undefined;
  try {
    while (pending) {
      const chunks = await pending;
      const last = chunks.at(-1);
      pending = last?.micros && last.id ? fetch({ micros: BigInt(last.micros), id: last.id }) : undefined;
      // Let go of each chunk once it is handed over, so it can be collected while it is young.
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) yield chunk.text;
    }
  } finally {
    // Stopped early (the client went away): the batch in flight is dropped, its errors too.
    pending?.catch(() => {});
  }
}
