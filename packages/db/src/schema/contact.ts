import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";
import { buttons } from "./buttons";
import { visitorContextColumns } from "./visitor-context";

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

export const callbackStatuses = ["new", "assigned", "done"] as const;

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
    // The team's work on the request: new, assigned to a member, done (and back to new).
    status: text({ enum: callbackStatuses }).notNull().default("new"),
    // The member (of this account) it is assigned to; null while nobody has it.
    assigneeId: uuid().references(() => users.id, { onDelete: "set null" }),
    // When it was marked done; null while it is not.
    handledAt: timestamp({ withTimezone: true }),
    // When the owners' email that lists this request went out; null while it waits for the button's
    // next email (at most one per button per window, see services/callback-emails.ts).
    emailedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    ...visitorContextColumns(),
  },
  (t) => [
    // The portal pages by (created_at desc, id desc).
    index("callback_requests_account_idx").on(t.accountId, t.createdAt.desc(), t.id.desc()),
    // The Callbacks page's status and assignee filters, in its page order.
    index("callback_requests_status_idx").on(t.accountId, t.status, t.createdAt.desc(), t.id.desc()),
    index("callback_requests_assignee_idx").on(t.accountId, t.assigneeId, t.createdAt.desc(), t.id.desc()),
    index("callback_requests_unemailed_idx").on(t.buttonId, t.createdAt).where(sql`${t.emailedAt} is null`),
  ],
);

/**
 * When each button last emailed its owners about callback requests. Any instance may send the next
 * email, through one conditional update of `emailedAt` (compare-and-set), so there is at most one
 * per button per window however many instances take requests.
 */
export const callbackEmailWindows = pgTable("callback_email_windows", {
  buttonId: uuid()
    .primaryKey()
    .references(() => buttons.id, { onDelete: "cascade" }),
  emailedAt: timestamp({ withTimezone: true }).notNull(),
});

/** The dev outbox: every email the default mailer "sends" is kept here and shown in the portal. */
export const outboxMessages = pgTable("outbox_messages", {
  id: uuid().primaryKey().defaultRandom(),
  to: text().notNull(),
  subject: text().notNull(),
  text: text().notNull(),
  html: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
