import { jsonb, pgTable, primaryKey, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";
import type { WeeklyHours } from "./buttons";

/**
 * A member's own working hours in one account (weekly intervals in the account's timezone, as a
 * button's). While they are set, the member counts as available only inside them: the switch
 * stays theirs, the hours gate it. No row: the switch alone decides.
 */
export const memberHours = pgTable(
  "member_hours",
  {
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    hours: jsonb().$type<WeeklyHours>().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] })],
);

export type MemberHours = typeof memberHours.$inferSelect;
