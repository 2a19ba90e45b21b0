import { callSessions } from "@cac/db";
import { sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { type ResolvedCallLogFilter, rowsOf } from "./filters";

/** At most this many sources and campaigns are offered (the rest can still be typed in a link). */
export const CONTEXT_OPTIONS_MAX = 100;

/**
 * The distinct values of one column among the account's calls started in the range, in order.
 * A loose index scan over the column's partial index (account, value, started_at desc): it jumps
 * from one value to the next, and asks the index once per value whether a call of it falls in
 * the range, so its cost follows the number of distinct values, not of calls.
 */
async function distinctInRange(
  deps: Pick<Ports, "db">,
  column: "source" | "utm_campaign",
  filter: Pick<ResolvedCallLogFilter, "accountId" | "from" | "to">,
): Promise<string[]> {
  const col = sql.raw(column);
  const from = filter.from ? sql`and c.started_at >= ${filter.from.toISOString()}::timestamptz` : sql``;
  const to = filter.to ? sql`and c.started_at < ${filter.to.toISOString()}::timestamptz` : sql``;
  const account = sql`${filter.accountId}::uuid`;
  const result = await deps.db.execute(sql`
    with recursive v(value) as (
      (select c.${col} from ${callSessions} c
        where c.account_id = ${account} and c.${col} is not null order by c.${col} limit 1)
      union all
      select (select c.${col} from ${callSessions} c
        where c.account_id = ${account} and c.${col} is not null and c.${col} > v.value
        order by c.${col} limit 1)
      from v where v.value is not null
    )
    select value from v
    where value is not null
      and exists (select 1 from ${callSessions} c
        where c.account_id = ${account} and c.${col} = v.value ${from} ${to})
    limit ${CONTEXT_OPTIONS_MAX}`);
  return rowsOf<{ value: string }>(result).map((r) => r.value);
}

/** The sources and campaigns of the account's calls in the range: the call log's filter options. */
export async function callLogContextOptions(
  deps: Pick<Ports, "db">,
  filter: Pick<ResolvedCallLogFilter, "accountId" | "from" | "to">,
): Promise<{ sources: string[]; campaigns: string[] }> {
  const [sources, campaigns] = await Promise.all([
    distinctInRange(deps, "source", filter),
    distinctInRange(deps, "utm_campaign", filter),
  ]);
  return { sources, campaigns };
}
