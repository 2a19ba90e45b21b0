import { accounts, subscriptions, usageTotals } from "@cac/db";
import { and, eq, type Placeholder, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { type Plan, planFor } from "../domain/plans";
import type { Ports } from "../ports";
import { atInstant, type Instant } from "./instant";

/**
 * The usage period at `now`, as SQL over the account's `subscriptions` row (left-joined: none
 * means no subscription): the subscription's current period while `now` is in it, else the
 * calendar month (UTC). The one statement of the rule: every query that needs the period (the
 * usage, a call start, the reconciliation) joins it, and migration 0009 backfilled with it.
 */
export function periodAt(now: Instant) {
  const at = atInstant(now);
  const inSubscription = sql`(${subscriptions.currentPeriodStart} <= ${at} and ${at} < ${subscriptions.currentPeriodEnd})`;
  const month = sql`date_trunc('month', ${at} at time zone 'UTC')`;
  return {
    start:
      sql`case when ${inSubscription} then ${subscriptions.currentPeriodStart} else ${month} at time zone 'UTC' end`.mapWith(
        subscriptions.currentPeriodStart,
      ),
    end: sql`case when ${inSubscription} then ${subscriptions.currentPeriodEnd} else (${month} + interval '1 month') at time zone 'UTC' end`.mapWith(
      subscriptions.currentPeriodEnd,
    ),
  };
}

/** The calendar month (UTC) around `now`: the period of an account that is not there to ask. */
function calendarMonth(now: Date) {
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/**
 * What a query selects of an account's usage at `now`, given `accounts` in its FROM: its plan, its
 * period and that period's running total. Add the joins of `joinUsage`.
 */
export function usageFields(now: Instant) {
  const period = periodAt(now);
  return {
    plan: accounts.plan,
    periodStart: period.start,
    periodEnd: period.end,
    calls: usageTotals.calls,
    usedMinutes: usageTotals.usedMinutes,
    reservedMinutes: usageTotals.reservedMinutes,
  };
}

/** The joins `usageFields` reads: the account's subscription, and its total for the period at `now`. */
export function usageJoins(now: Instant) {
  return {
    subscription: eq(subscriptions.accountId, accounts.id),
    total: and(
      eq(usageTotals.accountId, accounts.id),
      eq(usageTotals.periodStart, periodAt(now).start),
    ) as SQL,
  };
}

/** A row of `usageFields`, as a query returned it (the total is null before the period's first call). */
export type UsageRow = {
  plan: string;
  periodStart: Date;
  periodEnd: Date;
  calls: number | null;
  usedMinutes: number | null;
  reservedMinutes: number | null;
};

/** The usage period: the subscription's current period, else the calendar month (UTC). */
export async function usagePeriod(
  deps: Pick<Ports, "db">,
  accountId: string,
  now: Date,
): Promise<{ start: Date; end: Date }> {
  const period = periodAt(now);
  const [row] = await deps.db
    .select({ start: period.start, end: period.end })
    .from(accounts)
    .leftJoin(subscriptions, eq(subscriptions.accountId, accounts.id))
    .where(eq(accounts.id, accountId));
  return row ?? calendarMonth(now);
}

/** Start of the usage period: the subscription's current period, else the calendar month (UTC). */
export async function usagePeriodStart(deps: Pick<Ports, "db">, accountId: string, now: Date): Promise<Date> {
  return (await usagePeriod(deps, accountId, now)).start;
}

export type Usage = {
  plan: Plan;
  periodStart: Date;
  /** When the period ends and the minutes start again. */
  periodEnd: Date;
  calls: number;
  /** Billed minutes: each call rounds up to the next whole minute. */
  minutesUsed: number;
  /** Minutes held by calls not ended yet (each may last as long as it holds). */
  minutesReserved: number;
  /** Minutes neither used nor held: what new calls may still reserve. */
  minutesLeft: number;
};

export function toUsage(row: UsageRow): Usage {
  const plan = planFor(row.plan);
  const minutesUsed = row.usedMinutes ?? 0;
  const minutesReserved = row.reservedMinutes ?? 0;
  return {
    plan,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    calls: row.calls ?? 0,
    minutesUsed,
    minutesReserved,
    minutesLeft: Math.max(0, plan.minutesPerMonth - minutesUsed - minutesReserved),
  };
}

/** The account's usage this period: one row (its running total), however many calls it had. */
export function getUsage(deps: Pick<Ports, "db" | "clock">, accountId: string): Promise<Usage> {
  return getUsageAt(deps, accountId, deps.clock.now());
}

/** The account's usage in the period of `now`. */
export async function getUsageAt(deps: Pick<Ports, "db">, accountId: string, now: Date): Promise<Usage> {
  const joins = usageJoins(now);
  const [row] = await deps.db
    .select(usageFields(now))
    .from(accounts)
    .leftJoin(subscriptions, joins.subscription)
    .leftJoin(usageTotals, joins.total)
    .where(eq(accounts.id, accountId));
  const month = calendarMonth(now);
  return toUsage(
    row ?? {
      plan: "free",
      periodStart: month.start,
      periodEnd: month.end,
      calls: null,
      usedMinutes: null,
      reservedMinutes: null,
    },
  );
}

/**
 * The minutes a call starting now may reserve: the plan's longest call, in whole minutes, capped
 * by the minutes neither used nor held by other calls. Its time limit is that many minutes, so the
 * minutes it bills (rounded up) never pass what it reserved, and calls running at once never
 * spend more than the quota between them.
 */
export function reservableMinutes(usage: Pick<Usage, "plan" | "minutesLeft">): number {
  return Math.max(0, Math.min(Math.floor(usage.plan.maxCallSeconds / 60), usage.minutesLeft));
}

/** The call length a call starting now would be allowed: its reservation, in seconds. */
export function allowedCallSeconds(usage: Pick<Usage, "plan" | "minutesLeft">): number {
  return reservableMinutes(usage) * 60;
}

/**
 * The reservation a call start makes, as the upsert of its period's total: `minutes` more held and
 * one more call, only while the used and held minutes plus these stay within the plan's quota. The
 * row lock of the upsert orders concurrent starts of the account (on every instance), and each
 * checks the quota against what those before it reserved. Returns a row only when it reserved.
 */
export function reserveMinutes(
  deps: Pick<Ports, "db">,
  reservation: {
    accountId: string | Placeholder;
    periodStart: Date | Placeholder;
    periodEnd: Date | Placeholder;
    minutes: number | SQL;
    quota: number | SQL;
  },
) {
  const { accountId, periodStart, periodEnd, minutes, quota } = reservation;
  return deps.db
    .insert(usageTotals)
    .values({ accountId, periodStart, periodEnd, calls: 1, reservedMinutes: sql`${minutes}` })
    .onConflictDoUpdate({
      target: [usageTotals.accountId, usageTotals.periodStart],
      set: {
        reservedMinutes: sql`${usageTotals.reservedMinutes} + ${minutes}`,
        calls: sql`${usageTotals.calls} + 1`,
      },
      setWhere: sql`${usageTotals.usedMinutes} + ${usageTotals.reservedMinutes} + ${minutes} <= ${quota}`,
    })
    .returning({ accountId: usageTotals.accountId });
}

/** The billed minutes of a call that lasted `seconds`: rounded up to the next whole minute. */
export function billedMinutesOf(seconds: SQLWrapper) {
  return sql<number>`((${seconds} + 59) / 60)`;
}
