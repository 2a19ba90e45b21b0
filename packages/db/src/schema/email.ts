import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/**
 * The email queue, a durable outbox in the database. Every transactional email is a row here
 * first (`kind` "email", the message in `payload`), and a worker on any server instance delivers
 * it after the request has been answered. A signup or password-reset request is a row too
 * ("signup", "password-reset"): whether its email is a link or a notice depends on the account,
 * so that work happens after the answer, which then costs the same whether or not the account
 * exists.
 *
 * `runAfter` is when a worker may next take the row: a retry's time for a queued row, the end of
 * the claim's lease for a row being sent (a worker that died lets it go then). `claimToken` names
 * the claim, so only the worker that holds it can finish the row. Sent and failed rows keep only
 * the recipient and subject (no links), and the retention job deletes them.
 */
export const emailQueue = pgTable(
  "email_queue",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text({ enum: ["email", "signup", "password-reset"] }).notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: text({ enum: ["queued", "sending", "sent", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer().notNull().default(0),
    runAfter: timestamp({ withTimezone: true }).notNull(),
    claimToken: uuid(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When it was sent, or given up. */
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("email_queue_due_idx").on(t.runAfter).where(sql`${t.status} in ('queued', 'sending')`),
    index("email_queue_finished_idx").on(t.finishedAt).where(sql`${t.status} in ('sent', 'failed')`),
  ],
);

export type QueuedEmailRow = typeof emailQueue.$inferSelect;
