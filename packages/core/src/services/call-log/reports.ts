import {
  callDailyButtonPages,
  callDailyButtonSources,
  callDailyPages,
  callDailySources,
  callSessions,
} from "@cac/db";
import { and, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { answered, DAY_MS, filterWhere, type ResolvedCallLogFilter, rowsOf } from "./filters";
import { serially } from "./stats";

/** How many pages and sources the report lists, most calls first. */
export const SOURCES_TOP = 10;

export type SourceCount = { calls: number; answered: number; answerRate: number };
export type CallSources = {
  /** Host and path of the page the call was made from; null: the call has no page. */
  byPage: Array<SourceCount & { page: string | null }>;
  /** Where the visit came from (call_sessions.source); null: not known (not collected, or older calls). */
  bySource: Array<SourceCount & { source: string | null }>;
  /** Whether the rolled-up daily counts served the range (false: every call was read). */
  rolledUp: boolean;
};

/**
 * The page as the report groups it: host (lower case) and path, without the scheme, query or
 * fragment; "" without a page. The same as the SQL function `call_page` (migration 0020) that
 * the rollup is kept with.
 */
export function callPage(url: string | null | undefined): string {
  const [beforeFragment = ""] = (url ?? "").split("#");
  const [bare = ""] = beforeFragment.split("?");
  const scheme = bare.indexOf("://");
  const rest = scheme >= 0 ? bare.slice(scheme + 3) : bare;
  const [host = ""] = rest.split("/");
  // By characters, as SQL left() counts them.
  return [...(host.toLowerCase() + rest.slice(host.length))].slice(0, 300).join("");
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The filters the rollups can answer: the range and the button. Any other filter that is set
 * (statuses, tag, notes, who answered, and any filter added later, such as a source or campaign)
 * is not in their keys, so those reports read the calls themselves (`rawRange`): exact, but it
 * reads every matching call (30 days of a 1M-call year: ~6x the rollups' time, bench/call-reports.ts).
 * A source filter could be served by the per-source rollups for the "by source" list; the "by page"
 * list would still need the calls.
 */
function servedByRollup(filter: ResolvedCallLogFilter): boolean {
  const { accountId: _a, timezone: _t, buttonId: _b, from: _f, to: _to, ...others } = filter;
  return Object.values(others).every((value) => value === undefined || value === false);
}

/**
 * The calls of a range themselves, grouped by source and page. Grouped by the stored values
 * first, so the page's key is worked out once per distinct address rather than once per call.
 */
function rawRange(filter: ResolvedCallLogFilter, from: Date | undefined, to: Date | undefined): SQL {
  return sql`select left(coalesce(source, ''), 100) as source, call_page(page_url) as page,
      sum(calls)::int as calls, sum(answered)::int as answered
    from (
      select ${callSessions.source} as source, ${callSessions.pageUrl} as page_url, count(*)::int as calls,
        (count(*) filter (where ${answered}))::int as answered
      from ${callSessions} where ${filterWhere({ ...filter, from, to })}
      group by 1, 2
    ) stored
    group by 1, 2`;
}

type Rollup =
  | typeof callDailyPages
  | typeof callDailySources
  | typeof callDailyButtonPages
  | typeof callDailyButtonSources;

/** A rollup's counts per key over whole UTC days [firstDay, endDay) (either may be open). */
function rolledUpDays(
  table: Rollup,
  key: SQL,
  byPage: 0 | 1,
  filter: ResolvedCallLogFilter,
  firstDay: number | undefined,
  endDay: number | undefined,
): SQL {
  const where =
    and(
      eq(table.accountId, filter.accountId),
      filter.buttonId && "buttonId" in table ? eq(table.buttonId, filter.buttonId) : undefined,
      firstDay === undefined ? undefined : gte(table.day, utcDay(firstDay)),
      endDay === undefined ? undefined : lt(table.day, utcDay(endDay)),
    ) ?? sql`false`;
  return sql`select ${sql.raw(String(byPage))} as by_page, ${key} as key, sum(${table.calls})::int as calls,
      sum(${table.answered})::int as answered
    from ${table} where ${where} group by 2`;
}

/**
 * "Where calls come from": the top pages and sources of the filtered calls, with their answer
 * rates. The whole UTC days of the range are read from the daily rollups (call_daily_pages and
 * call_daily_sources, or their per-button twins for a button filter; kept by triggers), and the
 * partial days at its edges from the calls themselves (a date range in the account's timezone
 * starts and ends within UTC days). The answer is the same as grouping every call, at the cost
 * of one day's calls plus the rollup rows of the days. A range shorter than a UTC day, or a
 * filter the rollups do not keep, reads the calls.
 */
export async function callLogSources(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
): Promise<CallSources> {
  const rollups: SQL[] = [];
  const raw: SQL[] = [];
  const fromMs = filter.from ? +filter.from : undefined;
  const toMs = filter.to ? +filter.to : undefined;
  // Whole UTC days inside the range: [firstDay, endDay).
  const firstDay = fromMs === undefined ? undefined : Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const endDay = toMs === undefined ? undefined : Math.floor(toMs / DAY_MS) * DAY_MS;
  const rolledUp =
    servedByRollup(filter) && (firstDay === undefined || endDay === undefined || firstDay < endDay);
  if (!rolledUp) {
    raw.push(rawRange(filter, filter.from, filter.to));
  } else {
    // One button: its own rows; every button: the account's, a fraction of the rows to read.
    const [pages, sources] = filter.buttonId
      ? [callDailyButtonPages, callDailyButtonSources]
      : [callDailyPages, callDailySources];
    rollups.push(
      rolledUpDays(pages, sql`${pages.page}`, 1, filter, firstDay, endDay),
      rolledUpDays(sources, sql`${sources.source}`, 0, filter, firstDay, endDay),
    );
    if (fromMs !== undefined && firstDay !== undefined && fromMs < firstDay) {
      raw.push(rawRange(filter, filter.from, new Date(firstDay)));
    }
    if (toMs !== undefined && endDay !== undefined && endDay < toMs) {
      raw.push(rawRange(filter, new Date(endDay), filter.to));
    }
  }
  // The calls read one by one, grouped by (source, page), counted once by page and once by source.
  const fromCalls = raw.length
    ? [
        sql`select 1 as by_page, page as key, calls, answered from counted`,
        sql`select 0 as by_page, source as key, calls, answered from counted`,
      ]
    : [];
  const result = await serially(deps.db, (db) =>
    db.execute(sql`
      with counted as (${raw.length ? sql.join(raw, sql` union all `) : sql`select '' as source, '' as page, 0 as calls, 0 as answered where false`}),
      keyed as (${sql.join([...rollups, ...fromCalls], sql` union all `)}),
      grouped as (
        select by_page, key, sum(calls)::int as calls, sum(answered)::int as answered
        from keyed group by 1, 2
      ),
      ranked as (
        select by_page, key, calls, answered,
          row_number() over (partition by by_page order by calls desc, answered desc, key) as rank
        from grouped where calls > 0
      )
      select by_page, key, calls, answered from ranked where rank <= ${SOURCES_TOP}
      order by by_page, rank`),
  );
  const rows = rowsOf<{ by_page: number; key: string; calls: number; answered: number }>(result);
  const count = (row: (typeof rows)[number]): SourceCount => ({
    calls: Number(row.calls),
    answered: Number(row.answered),
    answerRate: Number(row.answered) / Number(row.calls),
  });
  return {
    byPage: rows
      .filter((row) => Number(row.by_page) === 1)
      .map((row) => ({ page: row.key || null, ...count(row) })),
    bySource: rows
      .filter((row) => Number(row.by_page) === 0)
      .map((row) => ({ source: row.key || null, ...count(row) })),
    rolledUp,
  };
}
