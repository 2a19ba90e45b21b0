import { buttons, type CallSession, callSessions, callStatuses } from "@cac/db";
import { and, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { instantsForWallTime, wallClock } from "../../domain/schedule";
import { text } from "../../domain/validation";
import { tagSchema } from "../../domain/work-items";
import { AppError, fieldError } from "../../errors";
import type { Ports } from "../../ports";

export type CallStatus = CallSession["status"];
export type CallTransport = CallSession["transport"];

const bound = (field: "from" | "to") =>
  z.union(
    [
      z.date({ error: `The ${field} date is not a valid date.` }),
      // A calendar day in the account's timezone.
      z.iso.date(),
      // An exact instant; the offset is required so it never depends on the server's timezone.
      z.iso.datetime({ offset: true }),
    ],
    { error: `Use a date (YYYY-MM-DD) or a date and time with its offset for ${field}.` },
  );

/**
 * The filters shared by the call log's list, totals, charts and the CSV export.
 * - `from`: a date means that day's start in the account's timezone; an instant is inclusive.
 * - `to`: a date means the whole day is included (up to the next day's start in the account's
 *   timezone); an instant is exclusive.
 */
export const callLogFilterSchema = z.object({
  buttonId: z.uuid("This button does not exist or was deleted.").optional(),
  statuses: z
    .array(z.enum(callStatuses, { error: `A status is one of: ${callStatuses.join(", ")}.` }))
    .min(1, "Choose at least one status, or leave the status filter out.")
    .max(callStatuses.length)
    .optional(),
  from: bound("from").optional(),
  to: bound("to").optional(),
  /** Calls carrying this tag (normalized as tags are stored). */
  tag: tagSchema.optional(),
  /** Only calls with at least one note. */
  hasNotes: z.boolean().optional(),
  /** Calls answered by this member, or by the viewer ("me"). */
  answeredBy: z
    .union([z.literal("me"), z.uuid("Choose a member of your team, or “me”.")], {
      error: "Choose a member of your team, or “me”.",
    })
    .optional(),
  /** Calls from this source, as stored ("Google Ads", "facebook.com", "Direct"). */
  source: text().trim().min(1).max(512, "Choose a source from the list.").optional(),
  /** Calls from this campaign (utm_campaign). */
  campaign: text().trim().min(1).max(100, "Choose a campaign from the list.").optional(),
});

export type CallLogFilterInput = z.input<typeof callLogFilterSchema>;
export type CallLogFilter = z.output<typeof callLogFilterSchema>;

/** The filters as the procedures and the export receive them (already shape-checked by zod). */
export type CallLogFilterParams = {
  buttonId?: string | undefined;
  statuses?: CallStatus[] | undefined;
  from?: Date | string | undefined;
  to?: Date | string | undefined;
  tag?: string | undefined;
  hasNotes?: boolean | undefined;
  answeredBy?: string | undefined;
  source?: string | undefined;
  campaign?: string | undefined;
};

/** Filters checked against the account and turned into instants: `from` inclusive, `to` exclusive. */
export type ResolvedCallLogFilter = {
  accountId: string;
  timezone: string;
  buttonId: string | undefined;
  statuses: CallStatus[] | undefined;
  from: Date | undefined;
  to: Date | undefined;
  tag?: string | undefined;
  hasNotes?: boolean | undefined;
  answeredBy?: string | undefined;
  source?: string | undefined;
  campaign?: string | undefined;
};

export type AccountScope = { id: string; timezone: string };

export const DAY_MS = 24 * 60 * 60 * 1000;
export const DELETED_BUTTON = "Deleted button";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The instant a local calendar day starts in `timeZone` (the first instant after a DST gap). */
export function localDayStart(date: string, timeZone: string): Date {
  const [first] = instantsForWallTime(Date.parse(`${date}T00:00:00Z`), 0, timeZone);
  if (first === undefined) throw new Error(`no instant starts ${date} in ${timeZone}`);
  return new Date(first);
}

/** The local calendar day (YYYY-MM-DD) of an instant in `timeZone`. */
export function localDate(instant: Date | number, timeZone: string): string {
  return wallClock(+instant, timeZone).date;
}

function toInstant(value: Date | string, timeZone: string, end: boolean): Date {
  if (value instanceof Date) return value;
  if (DATE_ONLY.test(value)) return localDayStart(end ? addDays(value, 1) : value, timeZone);
  return new Date(value);
}

/**
 * Checks the filters: the button must be the account's (NOT_FOUND otherwise, the same answer as
 * for a button that does not exist), dates are days in the account's timezone, and the range
 * must not be empty.
 */
export async function resolveCallLogFilter(
  deps: Pick<Ports, "db">,
  account: AccountScope,
  input: CallLogFilterParams,
  /** The member viewing the log: "me" in `answeredBy` means them. */
  viewer?: { userId: string },
): Promise<ResolvedCallLogFilter> {
  const timezone = account.timezone;
  if (input.buttonId) {
    const [button] = await deps.db
      .select({ id: buttons.id })
      .from(buttons)
      .where(and(eq(buttons.id, input.buttonId), eq(buttons.accountId, account.id)));
    if (!button) throw new AppError("NOT_FOUND", "This button does not exist or was deleted.");
  }
  const from = input.from === undefined ? undefined : toInstant(input.from, timezone, false);
  const to = input.to === undefined ? undefined : toInstant(input.to, timezone, true);
  for (const [field, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value && Number.isNaN(+value)) throw fieldError(field, `The ${field} date is not a valid date.`);
  }
  if (from && to && +from >= +to) throw fieldError("to", "The end of the range must be after its start.");
  if (input.answeredBy === "me" && !viewer) throw fieldError("answeredBy", "Choose a member of your team.");
  const answeredBy = input.answeredBy === "me" ? viewer?.userId : input.answeredBy;
  return {
    accountId: account.id,
    timezone,
    buttonId: input.buttonId,
    statuses: input.statuses?.length ? [...new Set(input.statuses)] : undefined,
    from,
    to,
    tag: input.tag || undefined,
    hasNotes: input.hasNotes || undefined,
    answeredBy,
    source: input.source || undefined,
    campaign: input.campaign || undefined,
  };
}

/** The WHERE clause of a filter; always scoped by the account. */
export function filterWhere(f: ResolvedCallLogFilter, extra?: SQL): SQL {
  return (
    and(
      eq(callSessions.accountId, f.accountId),
      f.buttonId ? eq(callSessions.buttonId, f.buttonId) : undefined,
      f.statuses ? inArray(callSessions.status, f.statuses) : undefined,
      f.from ? gte(callSessions.startedAt, f.from) : undefined,
      f.to ? lt(callSessions.startedAt, f.to) : undefined,
      // "Has notes" and "answered by" match the predicates of their partial indexes (schema/calls.ts).
      f.tag ? sql`${callSessions.tags} @> array[${f.tag}::text]` : undefined,
      f.hasNotes ? sql`${callSessions.lastNoteAt} is not null` : undefined,
      f.answeredBy
        ? sql`${callSessions.answeredBy} is not null and ${callSessions.answeredBy} = ${f.answeredBy}::uuid`
        : undefined,
      // Source and campaign each have their index (account, value, started_at desc, id desc).
      f.source ? eq(callSessions.source, f.source) : undefined,
      f.campaign ? eq(callSessions.utmCampaign, f.campaign) : undefined,
      extra,
    ) ?? sql`false`
  );
}

/** A call counts as answered once someone picked up (`completed` without an answer is `canceled`). */
export const answered = sql`(${callSessions.answeredAt} is not null or ${callSessions.status} in ('in-progress', 'completed'))`;
/** Billed minutes of one call: each call rounds up to the next whole minute, as billing does. */
export const billedMinutes = sql`((${callSessions.durationSeconds} + 59) / 60)`;

/** The rows of a raw query's result, whichever driver ran it (postgres.js or PGlite). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
