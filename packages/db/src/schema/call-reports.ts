import { date, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * The Calls page's "where calls come from" report, rolled up: calls and answered calls per
 * account and UTC day, by page and by source, for the whole account and per button. Separate
 * tables, not one keyed by everything: a day's calls spread over pages x sources x buttons would
 * leave the rollup almost as large as the calls, and the report without a button filter would
 * read every button's rows. Kept by triggers on call_sessions (migration 0020), in
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
  calls: integer().notNull().default(0),
  answered: integer().notNull().default(0),
});

// call_page(page_url): host and path, no scheme, query or fragment, capped (see the migration).
const pageColumn = () => text().notNull();
// left(source, 100)
const sourceColumn = () => text().notNull();

/** The account's calls by day and page, every button together (the report without a button filter). */
export const callDailyPages = pgTable("call_daily_pages", { ...rollupColumns(), page: pageColumn() }, (t) => [
  primaryKey({ columns: [t.accountId, t.day, t.page] }),
]);

export const callDailySources = pgTable(
  "call_daily_sources",
  { ...rollupColumns(), source: sourceColumn() },
  (t) => [primaryKey({ columns: [t.accountId, t.day, t.source] })],
);

/** The same per button (the report for one button reads only that button's rows). */
export const callDailyButtonPages = pgTable(
  "call_daily_button_pages",
  { ...rollupColumns(), buttonId: uuid().notNull(), page: pageColumn() },
  (t) => [primaryKey({ columns: [t.accountId, t.buttonId, t.day, t.page] })],
);

export const callDailyButtonSources = pgTable(
  "call_daily_button_sources",
  { ...rollupColumns(), buttonId: uuid().notNull(), source: sourceColumn() },
  (t) => [primaryKey({ columns: [t.accountId, t.buttonId, t.day, t.source] })],
);

/** The button id the per-button rollups keep for a call without a button. */
export const NO_BUTTON = "00000000-0000-0000-0000-000000000000";
