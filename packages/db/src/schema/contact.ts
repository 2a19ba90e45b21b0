import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";
import { buttons } from "./buttons";

/** Messages sent through the public contact form to the operator. */
export const contactMessages = pgTable("contact_messages", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  email: text().notNull(),
  company: text(),
  website: text(),
  message: text().notNull(),
  ip: text(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Callback requests left by visitors through a button's widget, for the business. */
export const callbackRequests = pgTable(
  "callback_requests",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    buttonId: uuid().references(() => buttons.id, { onDelete: "set null" }),
    name: text().notNull(),
    phone: text().notNull(),
    message: text(),
    ip: text(),
    handledAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("callback_requests_account_idx").on(t.accountId, t.createdAt.desc())],
);

/** The dev outbox: every email the default mailer "sends" is kept here and shown in the portal. */
export const outboxMessages = pgTable("outbox_messages", {
  id: uuid().primaryKey().defaultRandom(),
  to: text().notNull(),
  subject: text().notNull(),
  text: text().notNull(),
  html: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
