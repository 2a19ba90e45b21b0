import { sql } from "drizzle-orm";
import { pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

export const accounts = pgTable("accounts", {
  id: uuid().primaryKey().defaultRandom(),
  companyName: text().notNull(),
  websiteUrl: text().notNull(),
  phone: text().notNull(),
  timezone: text().notNull().default("America/New_York"),
  plan: text().notNull().default("free"),
  stripeCustomerId: text(),
  status: text({ enum: ["active", "closed"] })
    .notNull()
    .default("active"),
  closedAt: timestamp({ withTimezone: true }),
  deleteAfter: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text().notNull(),
    passwordHash: text().notNull(),
    emailVerifiedAt: timestamp({ withTimezone: true }),
    ageConfirmedAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Emails are stored lower-cased; the unique index makes signup races safe.
    uniqueIndex("users_email_key").on(sql`lower(${t.email})`),
  ],
);

export type Account = typeof accounts.$inferSelect;
export type User = typeof users.$inferSelect;
