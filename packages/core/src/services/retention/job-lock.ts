import type { Db } from "@cac/db";
import { sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import type { Tx } from "../rows";

/** What the retention services use; each takes only the ports it needs from these. */
export type RetentionDeps = Pick<Ports, "db" | "clock" | "log" | "mailer" | "storage">;

export type RetentionOptions = {
  /** Rows changed per transaction; each transaction holds the job's lock only briefly. */
  batchSize?: number;
  /** Closed accounts looked up per round. */
  accountBatchSize?: number;
  /** Seconds until the next run: accounts due before it are deleted in this one (default 0). */
  intervalSeconds?: number;
};

/** What a run did; `skipped` when another instance held the job's lock. */
export type RetentionResult<C extends Record<string, number>> =
  | { outcome: "done"; counts: C }
  | { outcome: "skipped"; counts: C };

export const DEFAULT_BATCH = 5000;

/** Rows of a raw `execute`: postgres.js returns an array, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
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

/**
 * Repeats `step` (one batch in one locked transaction) until it changes fewer rows than a batch.
 * Returns false when another instance holds the lock (this run then stops).
 */
export async function inBatches(
  db: Db,
  job: string,
  batchSize: number,
  step: (tx: Tx) => Promise<number>,
  add: (n: number) => void,
): Promise<boolean> {
  for (;;) {
    const result = await withJobLock(db, job, step);
    if (!result.locked) return false;
    add(result.value);
    if (result.value < batchSize) return true;
  }
}
