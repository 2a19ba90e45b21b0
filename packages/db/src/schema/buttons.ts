import { boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

export type ButtonStyle = {
  background: string;
  text: string;
  size: "small" | "medium" | "large";
  shape: "pill" | "rounded" | "square" | "circle";
  position: "bottom-right" | "bottom-left" | "inline";
  icon: string;
};
/** Minutes from midnight in the button's timezone; `end < start` means the interval runs overnight. */
export type WeeklyHours = Array<Array<{ start: number; end: number }>>;

export const buttons = pgTable(
  "buttons",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    publicId: text().notNull().unique(),
    name: text().notNull(),
    label: text().notNull(),
    enabled: boolean().notNull().default(true),
    style: jsonb().$type<ButtonStyle>().notNull(),
    logoKey: text(),
    // Stored size of the logo, counted against the account's logo storage quota.
    logoBytes: integer(),
    phoneNumber: text(),
    ringPortal: boolean().notNull().default(true),
    timezone: text().notNull(),
    hours: jsonb().$type<WeeklyHours>().notNull(),
    holidays: jsonb().$type<string[]>().notNull().default([]),
    closedBehavior: text({ enum: ["hide", "message", "callback"] })
      .notNull()
      .default("message"),
    allowedDomains: jsonb().$type<string[]>().notNull().default([]),
    disabledReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("buttons_account_idx").on(t.accountId, t.createdAt)],
);

export type Button = typeof buttons.$inferSelect;
