import type { Db } from "@cac/db";

/** The transaction handle `db.transaction` passes to its callback. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** The row an insert/update `returning()` must give back; a missing one is a bug, not bad input. */
export function returned<T>(rows: T[], what: string): T {
  const row = rows[0];
  if (row === undefined) throw new Error(`the database returned no ${what} row`);
  return row;
}
