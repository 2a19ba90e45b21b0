import { buttonOrigins, buttons, callbackRequests, callSessions, memberships, users } from "@cac/db";
import { and, asc, count, eq, gte, inArray, isNotNull, lt, ne, sql } from "drizzle-orm";
import { planFor } from "../domain/plans";
import type { Ports } from "../ports";
import { addDays, answered, localDate, localDayStart } from "./call-log/filters";
import { reachableMembers } from "./calls/presence";
import type { SessionAuth } from "./sessions";

/**
 * The dashboard: the "Get started" checklist, each step read from the account's real data, and once
 * every step is done, today's numbers in the account's timezone.
 */

export type StartChecklist = {
  emailConfirmed: boolean;
  buttonCreated: boolean;
  /** The widget was loaded from an allowed site (install status, `button_origins`). */
  snippetSeen: boolean;
  /** The member can answer (set available in the portal), or a button rings a phone number. */
  answerReady: boolean;
  firstCallAnswered: boolean;
  /** The first button, for the steps' links ("Make a test call" opens its test page). */
  firstButton: { id: string; publicId: string } | null;
  /** Where the snippet was last seen (the newest allowed origin), for the step's text. */
  seenOn: string | null;
  /** A button may ring a phone number: the server has Twilio and the plan includes it. */
  canRingPhone: boolean;
  complete: boolean;
};

export type TodayNumbers = {
  timezone: string;
  /** The account's calendar day (YYYY-MM-DD) the numbers are for. */
  date: string;
  calls: number;
  missed: number;
  callbacksWaiting: number;
  /** Members calls ring now, by name. */
  reachable: Array<{ userId: string; name: string }>;
};

export type DashboardOverview = { checklist: StartChecklist; today: TodayNumbers | null };

async function readChecklist(
  deps: Pick<Ports, "db" | "voice">,
  auth: SessionAuth,
  available: boolean,
): Promise<StartChecklist> {
  const accountId = auth.account.id;
  const [firstButton] = await deps.db
    .select({ id: buttons.id, publicId: buttons.publicId })
    .from(buttons)
    .where(eq(buttons.accountId, accountId))
    .orderBy(asc(buttons.createdAt), asc(buttons.id))
    .limit(1);
  const [seen] = await deps.db
    .select({ origin: buttonOrigins.origin })
    .from(buttonOrigins)
    .innerJoin(buttons, eq(buttons.id, buttonOrigins.buttonId))
    .where(and(eq(buttons.accountId, accountId), isNotNull(buttonOrigins.lastAllowedAt)))
    .orderBy(sql`${buttonOrigins.lastAllowedAt} desc`)
    .limit(1);
  const [phone] = await deps.db
    .select({ id: buttons.id })
    .from(buttons)
    .where(and(eq(buttons.accountId, accountId), isNotNull(buttons.phoneNumber), ne(buttons.phoneNumber, "")))
    .limit(1);
  const [answeredCall] = await deps.db
    .select({ id: callSessions.id })
    .from(callSessions)
    .where(and(eq(callSessions.accountId, accountId), answered))
    .limit(1);
  const canRingPhone = deps.voice.mode === "twilio" && planFor(auth.account.plan).canRingPhone;
  const steps = {
    emailConfirmed: auth.user.emailVerifiedAt !== null,
    buttonCreated: firstButton !== undefined,
    snippetSeen: seen !== undefined,
    answerReady: available || (canRingPhone && phone !== undefined),
    firstCallAnswered: answeredCall !== undefined,
  };
  return {
    ...steps,
    firstButton: firstButton ?? null,
    seenOn: seen?.origin ?? null,
    canRingPhone,
    complete: Object.values(steps).every(Boolean),
  };
}

/** Calls, missed calls, callbacks waiting and who is reachable, for the account's current day. */
export async function todayNumbers(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  account: { id: string; timezone: string },
): Promise<TodayNumbers> {
  const now = deps.clock.now();
  const date = localDate(now, account.timezone);
  const from = localDayStart(date, account.timezone);
  const to = localDayStart(addDays(date, 1), account.timezone);
  const [calls] = await deps.db
    .select({
      calls: sql<number>`count(*)::int`,
      // Ended without anyone picking up; a call still ringing is neither missed nor answered yet.
      missed: sql<number>`(count(*) filter (where not ${answered} and ${callSessions.status} not in ('initiated', 'ringing')))::int`,
    })
    .from(callSessions)
    .where(
      and(
        eq(callSessions.accountId, account.id),
        gte(callSessions.startedAt, from),
        lt(callSessions.startedAt, to),
      ),
    );
  const [waiting] = await deps.db
    .select({ n: count() })
    .from(callbackRequests)
    .where(and(eq(callbackRequests.accountId, account.id), ne(callbackRequests.status, "done")));
  const ids = (await reachableMembers(deps, account.id, now)).map((member) => member.id);
  const reachable =
    ids.length === 0
      ? []
      : await deps.db
          .select({ userId: users.id, name: users.name })
          .from(users)
          .where(inArray(users.id, ids))
          .orderBy(asc(users.name));
  return {
    timezone: account.timezone,
    date,
    calls: Number(calls?.calls ?? 0),
    missed: Number(calls?.missed ?? 0),
    callbacksWaiting: Number(waiting?.n ?? 0),
    reachable,
  };
}

/** The checklist until it is complete; today's numbers from then on. */
export async function dashboardOverview(
  deps: Pick<Ports, "db" | "clock" | "presence" | "voice">,
  auth: SessionAuth,
): Promise<DashboardOverview> {
  const [member] = await deps.db
    .select({ available: memberships.available })
    .from(memberships)
    .where(and(eq(memberships.accountId, auth.account.id), eq(memberships.userId, auth.user.id)));
  const checklist = await readChecklist(deps, auth, member?.available ?? false);
  return { checklist, today: checklist.complete ? await todayNumbers(deps, auth.account) : null };
}
