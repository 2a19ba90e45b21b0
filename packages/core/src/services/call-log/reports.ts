import { callDailySources, callSessions } from "@cac/db";
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
  const [beforeQuery = ""] = beforeFragment.split("?");
  const rest = beforeQuery.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, "");
  const [host = ""] = rest.split("/");
  // By characters, as SQL left() counts them.
  return [...(host.toLowerCase() + rest.slice(host.length))].slice(0, 300).join("");
}

const sourceKey = sql`left(coalesce(${callSessions.source}, ''), 100)`;
const pageKey = sql`call_page(${callSessions.pageUrl})`;

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The filters the rollup can answer: the range and the button. Any other filter that is set
 * (statuses, tag, notes, who answered, and any filter added later) is not in the rollup's key,
 * so those reports read the calls themselves (`rawRange`): exact, but as costly as the call
 * log's totals over the same calls.
 */
function servedByRollup(filter: ResolvedCallLogFilter): boolean {
  const { accountId: _a, timezone: _t, buttonId: _b, from: _f, to: _to, ...others } = filter;
  return Object.values(others).every((value) => value === undefined || value === false);
}

/** One arm of the report: the calls of a range, grouped by source and page. */
function rawRange(filter: ResolvedCallLogFilter, from: Date | undefined, to: Date | undefined): SQL {
  return sql`select ${sourceKey} as source, ${pageKey} as page, count(*)::int as calls,
      (count(*) filter (where ${answered}))::int as answered
    from ${callSessions} where ${filterWhere({ ...filter, from, to })}
    group by 1, 2`;
}

/**
 * "Where calls come from": the top pages and sources of the filtered calls, with their answer
 * rates. The range is read from the daily rollup (call_daily_sources, kept by triggers) for the
 * whole UTC days it covers, and from the calls themselves for the partial days at its edges (a
 * date range in the account's timezone starts and ends within UTC days), so the answer is the
 * same as grouping every call, at the cost of one day's calls plus a few hundred rollup rows per
 * day. A range shorter than a UTC day, or a filter the rollup does not keep, reads the calls.
 */
export async function callLogSources(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
): Promise<CallSources> {
  const arms: SQL[] = [];
  const fromMs = filter.from ? +filter.from : undefined;
  const toMs = filter.to ? +filter.to : undefined;
  // Whole UTC days inside the range: [firstDay, endDay).
  const firstDay = fromMs === undefined ? undefined : Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const endDay = toMs === undefined ? undefined : Math.floor(toMs / DAY_MS) * DAY_MS;
  const rolledUp =
    servedByRollup(filter) && (firstDay === undefined || endDay === undefined || firstDay < endDay);
  if (!rolledUp) {
    arms.push(rawRange(filter, filter.from, filter.to));
  } else {
    const r = callDailySources;
    arms.push(sql`select ${r.source} as source, ${r.page} as page, sum(${r.calls})::int as calls,
        sum(${r.answered})::int as answered
      from ${r} where ${
        and(
          eq(r.accountId, filter.accountId),
          filter.buttonId ? eq(r.buttonId, filter.buttonId) : undefined,
          firstDay === undefined ? undefined : gte(r.day, utcDay(firstDay)),
          endDay === undefined ? undefined : lt(r.day, utcDay(endDay)),
        ) ?? sql`false`
      }
      group by 1, 2`);
    if (filter.from && firstDay !== undefined && +filter.from < firstDay) {
      arms.push(rawRange(filter, filter.from, new Date(firstDay)));
    }
    if (filter.to && endDay !== undefined && endDay < +filter.to) {
      arms.push(rawRange(filter, new Date(endDay), filter.to));
    }
  }
  // Both lists in one pass: the arms' (source, page) counts summed by source and by page, each
  // ranked, ties by name so the order is stable.
  const result = await serially(deps.db, (db) =>
    db.execute(sql`
      with counted as (${sql.join(arms, sql` union all `)}),
      grouped as (
        select grouping(source) as by_page, coalesce(source, page) as key,
          sum(calls)::int as calls, sum(answered)::int as answered
        from counted group by grouping sets ((source), (page))
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
