import { boolean, index, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";

/**
 * A browser or device a person subscribed to Web Push. A person's devices hear about every account
 * they belong to (each account's events per that membership's preferences). A push service's
 * 404/410 deletes the row.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text().notNull().unique(),
    p256dh: text().notNull(),
    auth: text().notNull(),
    // A name for the member's device list, from the browser's user agent ("Chrome on Android").
    label: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    // The device's portal last said it is alive (subscribe, or the portal opening there): a member
    // with push on and a recently active device counts as reachable for ring-all.
    lastActiveAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("push_subscriptions_user_idx").on(t.userId, t.lastActiveAt)],
);

/**
 * Which events reach a member of an account, by push and by email. No row: the defaults below.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    pushIncomingCall: boolean().notNull().default(true),
    pushMissedCall: boolean().notNull().default(true),
    pushCallback: boolean().notNull().default(true),
    emailMissedCall: boolean().notNull().default(true),
    emailCallback: boolean().notNull().default(true),
    emailDailySummary: boolean().notNull().default(false),
    // The member's local date (YYYY-MM-DD, in the account's timezone) of the last daily summary
    // sent: one conditional update claims a day, so several instances send it once.
    summarySentOn: text(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.userId] })],
);
