import {
  accounts,
  callbackRequests,
  callSessions,
  memberships,
  notificationPreferences,
  users,
} from "@cac/db";
import { and, count, eq, gte, isNotNull, isNull, lt, ne, or, type SQL, sql } from "drizzle-orm";
import type { Settings } from "../../context";
import { instantsForWallTime, wallClock } from "../../domain/schedule";
import { emails } from "../../email/templates";
import type { Ports } from "../../ports";

const DAY_MS = 24 * 60 * 60_000;

export type SummaryDeps = Pick<Ports, "db" | "mailer" | "clock" | "log"> & {
  settings: Pick<Settings, "publicUrl">;
};

export type DayNumbers = { calls: number; answered: number; missed: number; callbacks: number };

/** The local day before `at` in the timezone: its date and its bounds (midnight to midnight). */
export function yesterdayIn(timezone: string, at: Date): { today: string; start: Date; end: Date } {
  const wall = wallClock(at.getTime(), timezone);
  const startOf = (utcMidnight: number) =>
    new Date(instantsForWallTime(utcMidnight, 0, timezone)[0] ?? utcMidnight);
  return { today: wall.date, start: startOf(wall.utcMidnight - DAY_MS), end: startOf(wall.utcMidnight) };
}

/** A call nobody took (missed-call.ts's rule, as SQL). */
const missed: SQL = or(
  eq(callSessions.status, "no-answer"),
  eq(callSessions.status, "unavailable"),
  and(eq(callSessions.status, "busy"), eq(callSessions.transport, "twilio")),
) as SQL;

/** The account's numbers between two instants: calls (test calls aside), answered, missed, callbacks. */
export async function dayNumbers(
  deps: Pick<Ports, "db">,
  accountId: string,
  start: Date,
  end: Date,
): Promise<DayNumbers> {
  const [calls] = await deps.db
    .select({
      calls: count(),
      answered: sql<number>`count(*) filter (where ${callSessions.answeredAt} is not null)`.mapWith(Number),
      missed: sql<number>`count(*) filter (where ${missed})`.mapWith(Number),
    })
    .from(callSessions)
    .where(
      and(
        eq(callSessions.accountId, accountId),
        eq(callSessions.test, false),
        gte(callSessions.startedAt, start),
        lt(callSessions.startedAt, end),
      ),
    );
  const [callbacks] = await deps.db
    .select({ n: count() })
    .from(callbackRequests)
    .where(
      and(
        eq(callbackRequests.accountId, accountId),
        gte(callbackRequests.createdAt, start),
        lt(callbackRequests.createdAt, end),
      ),
    );
  return {
    calls: calls?.calls ?? 0,
    answered: calls?.answered ?? 0,
    missed: calls?.missed ?? 0,
    callbacks: callbacks?.n ?? 0,
  };
}

/**
 * The daily summary: each member who turned it on (with a confirmed address, in an active account)
 * gets yesterday's numbers once per day of the account's timezone. The day is claimed by one
 * conditional update of `summary_sent_on`, so however many instances run this at once, one sends
 * it. Returns how many emails were queued.
 */
export async function sendDailySummaries(deps: SummaryDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.db
    .select({
      accountId: notificationPreferences.accountId,
      userId: notificationPreferences.userId,
      sentOn: notificationPreferences.summarySentOn,
      timezone: accounts.timezone,
      companyName: accounts.companyName,
      email: users.email,
    })
    .from(notificationPreferences)
    .innerJoin(
      memberships,
      and(
        eq(memberships.accountId, notificationPreferences.accountId),
        eq(memberships.userId, notificationPreferences.userId),
      ),
    )
    .innerJoin(accounts, eq(accounts.id, notificationPreferences.accountId))
    .innerJoin(users, eq(users.id, notificationPreferences.userId))
    .where(
      and(
        eq(notificationPreferences.emailDailySummary, true),
        eq(accounts.status, "active"),
        isNotNull(users.emailVerifiedAt),
      ),
    );
  const numbers = new Map<string, Promise<DayNumbers>>();
  const callsUrl = new URL("/calls", deps.settings.publicUrl).toString();
  let sent = 0;
  for (const member of due) {
    const day = yesterdayIn(member.timezone, now);
    if (member.sentOn === day.today) continue;
    const [claimed] = await deps.db
      .update(notificationPreferences)
      .set({ summarySentOn: day.today })
      .where(
        and(
          eq(notificationPreferences.accountId, member.accountId),
          eq(notificationPreferences.userId, member.userId),
          eq(notificationPreferences.emailDailySummary, true),
          or(
            isNull(notificationPreferences.summarySentOn),
            ne(notificationPreferences.summarySentOn, day.today),
          ),
        ),
      )
      .returning({ userId: notificationPreferences.userId });
    // Another instance claimed this day a moment ago.
    if (!claimed) continue;
    const key = `${member.accountId} ${day.today}`;
    if (!numbers.has(key)) numbers.set(key, dayNumbers(deps, member.accountId, day.start, day.end));
    const counted = await (numbers.get(key) as Promise<DayNumbers>);
    await deps.mailer.send(
      emails.dailySummary(member.email, {
        companyName: member.companyName,
        day: day.start,
        timezone: member.timezone,
        ...counted,
        callsUrl,
      }),
    );
    sent += 1;
  }
  return sent;
}
