import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { accounts, users } from "./accounts";
import { buttons } from "./buttons";
import { visitorContextColumns } from "./visitor-context";

export const callStatuses = [
  "initiated",
  "ringing",
  "in-progress",
  "completed",
  "no-answer",
  "busy",
  "failed",
  "canceled",
  // Nobody could answer when the visitor pressed "Call now" (no member reachable, no phone
  // fallback): the attempt is kept, and owners are told as for a missed call.
  "unavailable",
] as const;

/**
 * The steps a routed browser call rings through, fixed at its start: each step rings its members
 * for `seconds`; the call's ring deadline is the current step's end.
 */
export type RingPlan = Array<{ userIds: string[]; seconds: number }>;

export const callSessions = pgTable(
  "call_sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    buttonId: uuid().references(() => buttons.id, { onDelete: "set null" }),
    transport: text({ enum: ["webrtc", "twilio"] }).notNull(),
    status: text({ enum: callStatuses }).notNull().default("initiated"),
    // Nullable: the retention job nulls it after 12 months.
    visitorIp: text(),
    pageUrl: text(),
    providerCallId: text(),
    // SHA-256 of the capability token the widget holds for this call's signaling.
    visitorTokenHash: text(),
    answeredBy: uuid().references(() => users.id, { onDelete: "set null" }),
    failureReason: text(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    answeredAt: timestamp({ withTimezone: true }),
    endedAt: timestamp({ withTimezone: true }),
    // Heartbeat of the call's live connections; the sweeper ends calls whose connections are gone.
    lastActivityAt: timestamp({ withTimezone: true }),
    // The call's deadlines, kept here so any instance (its timer, or the sweeper) acts on them:
    // when an unanswered call rings out, set at calls.start (a Twilio call: when its dial starts)...
    ringDeadlineAt: timestamp({ withTimezone: true }),
    // ...and when the plan's time limit ends an answered call, set at the answer.
    limitEndsAt: timestamp({ withTimezone: true }),
    // A routed call's steps and the one ringing now (null: a call from before routing, which rang
    // the whole account). Advancing a step is one conditional update on ring_step.
    ringPlan: jsonb().$type<RingPlan>(),
    ringStep: integer(),
    durationSeconds: integer().notNull().default(0),
    // The usage period (usage_totals.period_start) the call counts in, fixed at its start, and the
    // minutes it reserved there: its time limit. Its end adds its billed minutes to that period and
    // gives the reservation back. Null for calls started before usage was kept as totals.
    usagePeriodStart: timestamp({ withTimezone: true }),
    reservedMinutes: integer(),
    // The team's labels for the call (normalized by domain/work-items.ts: lower case, a few short ones).
    tags: text().array().notNull().default(sql`'{}'::text[]`),
    // When the last note was added (call_notes); null while the call has none. Kept here so the
    // "has notes" filter pages through its own small index instead of probing every call.
    lastNoteAt: timestamp({ withTimezone: true }),
    // A call from the button's test page (/try/<publicId>): shown as "Test" in the call log, kept
    // out of the quota and the usage totals (it reserves no minutes; its time limit is fixed).
    test: boolean().notNull().default(false),
    ...visitorContextColumns(),
  },
  (t) => [
    // The call log pages by (started_at desc, id desc) through this index; the trailing columns
    // let its totals and charts (and the usage count) run as index-only scans.
    index("call_sessions_account_started_idx").on(
      t.accountId,
      t.startedAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
      t.buttonId,
      t.status,
      t.durationSeconds,
      t.answeredAt,
    ),
    // The call log's "has notes", "answered by" and tag filters, each in the log's page order.
    index("call_sessions_account_noted_idx")
      .on(t.accountId, t.startedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.lastNoteAt} is not null`),
    index("call_sessions_account_answerer_idx")
      .on(t.accountId, t.answeredBy, t.startedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.answeredBy} is not null`),
    // A tag: the GIN index finds a rare tag's calls, and its statistics let the planner see when a
    // tag is common enough to read the log's own index in page order instead. Not partial: a
    // predicate the filter must repeat (tags <> '{}') would skew the estimate and the choice.
    index("call_sessions_tags_idx").using("gin", t.tags),
    // The call log's source and campaign filters, in its page order.
    index("call_sessions_account_source_idx")
      .on(t.accountId, t.source, t.startedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.source} is not null`),
    index("call_sessions_account_campaign_idx")
      .on(t.accountId, t.utmCampaign, t.startedAt.desc().nullsFirst(), t.id.desc().nullsFirst())
      .where(sql`${t.utmCampaign} is not null`),
    index("call_sessions_button_started_idx").on(
      t.buttonId,
      t.startedAt.desc().nullsFirst(),
      t.id.desc().nullsFirst(),
    ),
    uniqueIndex("call_sessions_provider_call_key")
      .on(t.providerCallId)
      .where(sql`${t.providerCallId} is not null`),
    // Abuse detection counts a visitor's recent calls by ip_key (an IPv6 address's /64); the
    // function is created by migration 0006_ip_key and mirrors ipKey in packages/core/src/domain/ip.ts.
    index("call_sessions_ip_key_idx").on(sql`ip_key(${t.visitorIp})`, t.startedAt),
    // The retention job finds IPs past 12 months; nulled rows leave this index, so it stays small.
    index("call_sessions_ip_retention_idx").on(t.startedAt).where(sql`${t.visitorIp} is not null`),
    // The sweeper and the live list look only at calls not yet ended.
    index("call_sessions_open_idx")
      .on(t.status, t.startedAt)
      .where(sql`${t.status} in ('initiated', 'ringing', 'in-progress')`),
    // The sweeper runs every few seconds on every instance: each deadline it looks for is one small
    // index of the calls in the status it applies to.
    index("call_sessions_ring_deadline_idx").on(t.ringDeadlineAt).where(sql`${t.status} = 'ringing'`),
    index("call_sessions_limit_ends_idx").on(t.limitEndsAt).where(sql`${t.status} = 'in-progress'`),
  ],
);

export type CallSession = typeof callSessions.$inferSelect;
