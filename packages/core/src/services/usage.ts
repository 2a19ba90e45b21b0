import { callSessions, subscriptions } from "@cac/db";
import { and, count, eq, gte, sql } from "drizzle-orm";
import type { Plan } from "../domain/plans";
import type { Ports } from "../ports";
import { currentPlan } from "./plan-limits";

/** The usage period: the subscription's current period, else the calendar month (UTC). */
export async function usagePeriod(
  deps: Pick<Ports, "db">,
  accountId: string,
  now: Date,
): Promise<{ start: Date; end: Date }> {
  const [sub] = await deps.db
    .select({ start: subscriptions.currentPeriodStart, end: subscriptions.currentPeriodEnd })
    .from(subscriptions)
    .where(eq(subscriptions.accountId, accountId));
  if (sub?.start && sub.end && sub.start <= now && now < sub.end) return { start: sub.start, end: sub.end };
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
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
  minutesLeft: number;
};

export async function getUsage(deps: Pick<Ports, "db" | "clock">, accountId: string): Promise<Usage> {
  const now = deps.clock.now();
  const [plan, period] = await Promise.all([currentPlan(deps, accountId), usagePeriod(deps, accountId, now)]);
  const periodStart = period.start;
  const [row] = await deps.db
    .select({
      calls: count(),
      minutes: sql<string>`coalesce(sum(ceil(${callSessions.durationSeconds} / 60.0)), 0)`,
    })
    .from(callSessions)
    .where(and(eq(callSessions.accountId, accountId), gte(callSessions.startedAt, periodStart)));
  const minutesUsed = Number(row?.minutes ?? 0);
  return {
    plan,
    periodStart,
    periodEnd: period.end,
    calls: row?.calls ?? 0,
    minutesUsed,
    minutesLeft: Math.max(0, plan.minutesPerMonth - minutesUsed),
  };
}

/** The call length allowed now: the plan's maximum, capped by the minutes left this period. */
export function allowedCallSeconds(usage: Usage): number {
  return Math.min(usage.plan.maxCallSeconds, usage.minutesLeft * 60);
}
