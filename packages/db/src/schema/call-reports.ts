import { date, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * The Calls page's "where calls come from" report, rolled up: calls and answered calls per
 * account, UTC day and button, by page (call_daily_pages) and by source (call_daily_sources). Two
 * tables, not one keyed by both: a day's calls spread over pages x sources x buttons would leave
 * the rollup almost as large as the calls. Kept by triggers on call_sessions (migration 0020), in
 * the transaction that inserts, answers, moves or deletes the call, so they are right on every
 * instance and for every writer (calls.start, the answer paths, retention, a button's deletion).
 *
 * Days are UTC days, not the account's: the call log's range filter turns dates into instants
 * with the account's timezone at query time, and a timezone can change, so a rollup by local day
 * would go wrong with it. The report reads whole UTC days here and the partial days at the edges
 * of a range from call_sessions.
 *
 * The key columns are never null (so they can be the primary key): the nil UUID stands for no
 * button (deleted), '' for no page or no source.
 */
const rollupColumns = () => ({
  accountId: uuid()
    .notNull()
    .references(() => accounts.id, { onDelete: "cascade" }),
  day: date({ mode: "string" }).notNull(),
  buttonId: uuid().notNull(),
  calls: integer().notNull().default(0),
  answered: integer().notNull().default(0),
});

export const callDailyPages = pgTable(
  "call_daily_pages",
  {
    ...rollupColumns(),
    // call_page(page_url): host and path, no scheme, query or fragment, capped (see the migration).
    page: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day, t.buttonId, t.page] })],
);

export const callDailySources = pgTable(
  "call_daily_sources",
  {
    ...rollupColumns(),
    // left(source, 100)
    source: text().notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.day, t.buttonId, t.source] })],
);

/** The button id the rollups keep for a call without a button. */
export const NO_BUTTON = "00000000-0000-0000-0000-000000000000";
