import type { Db } from "@cac/db";
import { sql } from "drizzle-orm";

export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Rows of a raw `execute`: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Runs `work` in a transaction that holds the job's advisory lock, or returns `{ locked: false }`
 * at once when another instance holds it. The lock is transaction-scoped
 * (pg_try_advisory_xact_lock), so it is released by the commit or rollback, never leaked by a
 * crashed worker. It also holds on PGlite, where a session lock would not: PGlite has one session
 * (session locks are re-entrant) but runs one transaction at a time, so a second runner's
 * transaction starts only after the first one's ended.
 */
export async function withJobLock<T>(
  db: Db,
  job: string,
  work: (tx: Tx) => Promise<T>,
): Promise<{ locked: false } | { locked: true; value: T }> {
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ locked: boolean }>(
      await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext(${`cac:job:${job}`})) as locked`),
    );
    if (!row?.locked) return { locked: false as const };
    return { locked: true as const, value: await work(tx) };
  });
}
