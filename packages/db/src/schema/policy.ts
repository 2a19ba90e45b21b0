import { pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts";

export const policyNotices = pgTable("policy_notices", {
  id: uuid().primaryKey().defaultRandom(),
  version: text().notNull().unique(),
  summary: text().notNull(),
  effectiveAt: timestamp({ withTimezone: true }).notNull(),
  publishedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const policyDismissals = pgTable(
  "policy_dismissals",
  {
    noticeId: uuid()
      .notNull()
      .references(() => policyNotices.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    dismissedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.userId] })],
);
