import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";

/** One row per login. The token handed to the browser is `id.secret`; only SHA-256(secret) is kept. */
export const authSessions = pgTable(
  "auth_sessions",
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    // The account the session works in (the portal's account switcher changes it); the session
    // is valid only while the user is a member of it.
    activeAccountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    secretHash: text().notNull(),
    userAgent: text(),
    ip: text(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    lastVerifiedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index("auth_sessions_user_idx").on(t.userId),
    index("auth_sessions_account_idx").on(t.activeAccountId),
  ],
);

/** Single-use emailed links (email verification, password reset). Only the token's hash is kept. */
export const emailTokens = pgTable(
  "email_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text({ enum: ["verify_email", "reset_password"] }).notNull(),
    tokenHash: text().notNull().unique(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("email_tokens_user_idx").on(t.userId, t.purpose)],
);

export type AuthSession = typeof authSessions.$inferSelect;
