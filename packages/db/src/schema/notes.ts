import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";
import { callSessions } from "./calls";
import { callbackRequests } from "./contact";

/**
 * The team's notes on a call, append-only: each entry keeps its author and time, so a handover
 * reads as a history. Deleted with the call (and the account).
 */
export const callNotes = pgTable(
  "call_notes",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    callSessionId: uuid()
      .notNull()
      .references(() => callSessions.id, { onDelete: "cascade" }),
    // Null once the author's login is deleted; the note stays with the call.
    authorId: uuid().references(() => users.id, { onDelete: "set null" }),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("call_notes_call_idx").on(t.callSessionId, t.createdAt, t.id)],
);

/** The team's notes on a callback request, append-only, as for calls. */
export const callbackNotes = pgTable(
  "callback_notes",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    callbackRequestId: uuid()
      .notNull()
      .references(() => callbackRequests.id, { onDelete: "cascade" }),
    authorId: uuid().references(() => users.id, { onDelete: "set null" }),
    body: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("callback_notes_request_idx").on(t.callbackRequestId, t.createdAt, t.id)],
);

export type CallNote = typeof callNotes.$inferSelect;
export type CallbackNote = typeof callbackNotes.$inferSelect;
