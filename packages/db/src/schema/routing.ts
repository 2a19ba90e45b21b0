import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";
import { buttons } from "./buttons";
import { callSessions } from "./calls";

export const routingStrategies = ["ring-all", "in-order"] as const;
export type RoutingStrategy = (typeof routingStrategies)[number];

/**
 * Who a button's browser calls ring, and how. A button without a row rings all the account's
 * reachable members at once (the behaviour before routing existed).
 */
export const buttonRouting = pgTable("button_routing", {
  buttonId: uuid()
    .primaryKey()
    .references(() => buttons.id, { onDelete: "cascade" }),
  accountId: uuid()
    .notNull()
    .references(() => accounts.id, { onDelete: "cascade" }),
  /** "all": every member of the account; "chosen": the members listed in button_routing_members. */
  who: text({ enum: ["all", "chosen"] })
    .notNull()
    .default("all"),
  strategy: text({ enum: routingStrategies }).notNull().default("ring-all"),
  /** Ring time of each step when ringing in order (a chosen member may have their own). */
  stepSeconds: integer().notNull().default(20),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** The chosen members of a button's routing, in ringing order. Keyed by user, not by membership. */
export const buttonRoutingMembers = pgTable(
  "button_routing_members",
  {
    buttonId: uuid()
      .notNull()
      .references(() => buttons.id, { onDelete: "cascade" }),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    position: integer().notNull(),
    /** This member's ring time in order; null: the routing's stepSeconds. */
    ringSeconds: integer(),
  },
  (t) => [
    primaryKey({ columns: [t.buttonId, t.userId] }),
    index("button_routing_members_user_idx").on(t.userId),
  ],
);

export const ringOutcomes = ["ringing", "answered", "taken", "no-answer", "declined", "ended"] as const;
export type RingOutcome = (typeof ringOutcomes)[number];

/**
 * Every step of a routed call: who was rung, from when to when, and how it ended for them
 * (answered, taken by someone else, rang out, declined, or the call ended meanwhile). A phone
 * call's last step rings the button's number (its fallback): a row with the number and no member.
 * The call session stays the record of the call; these rows go with it (retention and account
 * deletion).
 */
export const callRingSteps = pgTable(
  "call_ring_steps",
  {
    callId: uuid()
      .notNull()
      .references(() => callSessions.id, { onDelete: "cascade" }),
    step: integer().notNull(),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    /** The number a phone step rang (the button's, as dialed); null for a member's ring. */
    phoneNumber: text(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    endedAt: timestamp({ withTimezone: true }),
    outcome: text({ enum: ringOutcomes }).notNull().default("ringing"),
  },
  (t) => [
    uniqueIndex("call_ring_steps_call_step_user_key").on(t.callId, t.step, t.userId),
    // A step rings the number once (a member's row may lose its user to "set null", so the key
    // above cannot hold it).
    uniqueIndex("call_ring_steps_call_step_phone_key")
      .on(t.callId, t.step)
      .where(sql`${t.phoneNumber} is not null`),
    index("call_ring_steps_user_idx").on(t.userId),
    check("call_ring_steps_step_check", sql`${t.step} >= 0`),
  ],
);

export type ButtonRouting = typeof buttonRouting.$inferSelect;
export type CallRingStep = typeof callRingSteps.$inferSelect;
