import { bigint, boolean, index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

export const subscriptions = pgTable("subscriptions", {
  id: uuid().primaryKey().defaultRandom(),
  accountId: uuid()
    .notNull()
    .unique()
    .references(() => accounts.id, { onDelete: "cascade" }),
  stripeSubscriptionId: text().unique(),
  stripeCustomerId: text(),
  plan: text().notNull(),
  status: text().notNull(),
  currentPeriodStart: timestamp({ withTimezone: true }),
  currentPeriodEnd: timestamp({ withTimezone: true }),
  cancelAtPeriodEnd: boolean().notNull().default(false),
  // Creation time of the newest Stripe event applied, so an older event never overwrites newer state.
  lastEventAt: timestamp({ withTimezone: true }),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Kept for accounting after the account is deleted: the account link is nulled, not cascaded. */
export const billingRecords = pgTable(
  "billing_records",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid().references(() => accounts.id, { onDelete: "set null" }),
    stripeInvoiceId: text().unique(),
    amountCents: bigint({ mode: "number" }).notNull(),
    currency: text().notNull().default("usd"),
    status: text().notNull(),
    description: text(),
    invoiceUrl: text(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("billing_records_account_idx").on(t.accountId, t.occurredAt.desc())],
);

export const processedWebhookEvents = pgTable("processed_webhook_events", {
  id: text().primaryKey(),
  provider: text({ enum: ["stripe", "twilio"] }).notNull(),
  type: text().notNull(),
  processedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type Subscription = typeof subscriptions.$inferSelect;
export type BillingRecord = typeof billingRecords.$inferSelect;
