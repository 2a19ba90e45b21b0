import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * A point in time a query compares with: a Date (sent as a parameter), or SQL standing for one (a
 * prepared query's placeholder, filled at each run).
 */
export type Instant = Date | SQLWrapper;

/** The instant as a timestamptz in SQL. */
export function atInstant(now: Instant): SQL {
  return now instanceof Date ? sql`${now.toISOString()}::timestamptz` : sql`${now}::timestamptz`;
}

/** `seconds` before the instant, as a timestamptz in SQL. */
export function secondsBefore(now: Instant, seconds: number): SQL {
  return now instanceof Date
    ? sql`${new Date(now.getTime() - seconds * 1000).toISOString()}::timestamptz`
    : sql`(${now}::timestamptz - make_interval(secs => ${seconds}))`;
}
