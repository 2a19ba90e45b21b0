import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

/**
 * A flagged or blocked IP. `ip` is the address's ip_key: an IPv4 address, or an IPv6 address's /64
 * (`2001:db8:1:2::/64`). `accountId` set means a customer's block that applies to that account only.
 */
export const abuseFlags = pgTable(
  "abuse_flags",
  {
    id: uuid().primaryKey().defaultRandom(),
    ip: text().notNull(),
    reason: text().notNull(),
    source: text({ enum: ["auto", "operator", "customer"] }).notNull(),
    accountId: uuid().references(() => accounts.id, { onDelete: "cascade" }),
    expiresAt: timestamp({ withTimezone: true }),
    clearedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("abuse_flags_ip_idx").on(t.ip)],
);

/**
 * What happened to an IP. Repeated refusals (a blocked or throttled IP retrying) share one row per
 * (IP, kind, minute): `minute` is set only on those, and `count` says how many the row stands for
 * (`detail` is the first one's). Other events keep `minute` null, one row each.
 */
export const securityEvents = pgTable(
  "security_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    ip: text(),
    kind: text().notNull(),
    accountId: uuid().references(() => accounts.id, { onDelete: "set null" }),
    detail: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    count: integer().notNull().default(1),
    minute: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Operators list an IP's events by ip_key, so a flag on an IPv6 /64 shows every address in it.
    index("security_events_ip_key_idx").on(sql`ip_key(${t.ip})`, t.createdAt),
    index("security_events_created_idx").on(t.createdAt),
    // Null minutes (one-off events) never collide: Postgres treats nulls as distinct.
    uniqueIndex("security_events_refusal_key").on(t.ip, t.kind, t.minute),
  ],
);

export type AbuseFlag = typeof abuseFlags.$inferSelect;
export type SecurityEvent = typeof securityEvents.$inferSelect;
