import { integer, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * Each account's usage per billing period, kept as a running total so a call start or the billing
 * page reads one row instead of the period's calls. A call start reserves minutes here (in the
 * statement that creates the call), and the call's end, in the statement that ends it, adds the
 * minutes it billed and gives the reservation back. The nightly job reconciles each total with the
 * call log (services/usage-reconcile.ts).
 */
export const usageTotals = pgTable(
  "usage_totals",
  {
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    /** The period: the subscription's current one, else the calendar month (UTC). */
    periodStart: timestamp({ withTimezone: true }).notNull(),
    periodEnd: timestamp({ withTimezone: true }).notNull(),
    /** Calls started in the period. */
    calls: integer().notNull().default(0),
    /** Billed minutes of the period's ended calls: each rounds up to the next whole minute. */
    usedMinutes: integer().notNull().default(0),
    /** Minutes held by the period's calls not yet ended: each call may last as long as it holds. */
    reservedMinutes: integer().notNull().default(0),
    /** When the nightly job last compared the total with the call log. */
    reconciledAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.periodStart] })],
);

export type UsageTotal = typeof usageTotals.$inferSelect;
