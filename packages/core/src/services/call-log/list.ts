import { buttons, callSessions, users } from "@cac/db";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { Ports } from "../../ports";
import { openStatuses } from "../calls/lifecycle";
import {
  type AccountScope,
  type CallStatus,
  type CallTransport,
  DELETED_BUTTON,
  filterWhere,
  type ResolvedCallLogFilter,
} from "./filters";
import { decodeCursor, keysetPage, keysetWhere, startedMicros } from "./keyset";

/** At most this many calls in progress are listed (the oldest are least likely to still be live). */
export const LIVE_MAX = 100;

export type CallLogRow = {
  id: string;
  startedAt: Date;
  /** The button, or `{ id: null, name: "Deleted button" }` once it was deleted. */
  button: { id: string | null; name: string };
  durationSeconds: number;
  status: CallStatus;
  transport: CallTransport;
  visitorIp: string | null;
  pageUrl: string | null;
  failureReason: string | null;
  /** Who took the call in the portal (their name), or null. */
  answeredBy: string | null;
  tags: string[];
  hasNotes: boolean;
  /** From the button's test page: outside the quota, shown as "Test". */
  test: boolean;
  /** The language the widget spoke to the visitor ("en" | "es"), when it said. */
  language: string | null;
  /** Where the visit came from ("Google Ads", "Direct"), and its campaign; null when not sent. */
  source: string | null;
  campaign: string | null;
};

function toRow(r: {
  id: string;
  startedAt: Date;
  buttonId: string | null;
  buttonName: string | null;
  durationSeconds: number;
  status: CallStatus;
  transport: CallTransport;
  visitorIp: string | null;
  pageUrl: string | null;
  failureReason: string | null;
  answeredBy: string | null;
  tags: string[];
  lastNoteAt: Date | null;
  test: boolean;
  language: string | null;
  source: string | null;
  utmCampaign: string | null;
}): CallLogRow {
  return {
    id: r.id,
    startedAt: r.startedAt,
    button: r.buttonId
      ? { id: r.buttonId, name: r.buttonName ?? DELETED_BUTTON }
      : { id: null, name: DELETED_BUTTON },
    durationSeconds: r.durationSeconds,
    status: r.status,
    transport: r.transport,
    visitorIp: r.visitorIp,
    pageUrl: r.pageUrl,
    failureReason: r.failureReason,
    answeredBy: r.answeredBy,
    tags: r.tags,
    hasNotes: r.lastNoteAt !== null,
    test: r.test,
    language: r.language,
    source: r.source,
    campaign: r.utmCampaign,
  };
}

/** One page of the filtered log, newest first, and the cursor of the next page (null on the last). */
export async function listCallLog(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
  page: { cursor?: string | null | undefined; limit: number },
): Promise<{ timezone: string; items: CallLogRow[]; nextCursor: string | null }> {
  const key = page.cursor ? decodeCursor(page.cursor) : undefined;
  const rows = await deps.db
    .select({
      id: callSessions.id,
      startedAt: callSessions.startedAt,
      micros: startedMicros,
      buttonId: callSessions.buttonId,
      buttonName: buttons.name,
      durationSeconds: callSessions.durationSeconds,
      status: callSessions.status,
      transport: callSessions.transport,
      visitorIp: callSessions.visitorIp,
      pageUrl: callSessions.pageUrl,
      failureReason: callSessions.failureReason,
      answeredBy: users.name,
      tags: callSessions.tags,
      lastNoteAt: callSessions.lastNoteAt,
      test: callSessions.test,
      language: callSessions.language,
      source: callSessions.source,
      utmCampaign: callSessions.utmCampaign,
    })
    .from(callSessions)
    .leftJoin(buttons, eq(buttons.id, callSessions.buttonId))
    .leftJoin(users, eq(users.id, callSessions.answeredBy))
    .where(filterWhere(filter, keysetWhere(key)))
    .orderBy(desc(callSessions.startedAt), desc(callSessions.id))
    .limit(page.limit + 1);
  const { items, nextCursor } = keysetPage(rows, page.limit);
  return { timezone: filter.timezone, items: items.map(toRow), nextCursor };
}

export type LiveCall = {
  id: string;
  startedAt: Date;
  answeredAt: Date | null;
  status: CallStatus;
  transport: CallTransport;
  button: { id: string | null; name: string };
  visitorIp: string | null;
  pageUrl: string | null;
};

/** Calls of the account not yet ended (initiated, ringing, in progress), newest first. */
export async function liveCalls(
  deps: Pick<Ports, "db">,
  account: AccountScope,
): Promise<{ timezone: string; items: LiveCall[] }> {
  const rows = await deps.db
    .select({
      id: callSessions.id,
      startedAt: callSessions.startedAt,
      answeredAt: callSessions.answeredAt,
      status: callSessions.status,
      transport: callSessions.transport,
      buttonId: callSessions.buttonId,
      buttonName: buttons.name,
      visitorIp: callSessions.visitorIp,
      pageUrl: callSessions.pageUrl,
    })
    .from(callSessions)
    .leftJoin(buttons, eq(buttons.id, callSessions.buttonId))
    .where(and(eq(callSessions.accountId, account.id), inArray(callSessions.status, [...openStatuses])))
    .orderBy(desc(callSessions.startedAt), desc(callSessions.id))
    .limit(LIVE_MAX);
  return {
    timezone: account.timezone,
    items: rows.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      answeredAt: r.answeredAt,
      status: r.status,
      transport: r.transport,
      button: r.buttonId
        ? { id: r.buttonId, name: r.buttonName ?? DELETED_BUTTON }
        : { id: null, name: DELETED_BUTTON },
      visitorIp: r.visitorIp,
      pageUrl: r.pageUrl,
    })),
  };
}
