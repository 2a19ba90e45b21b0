import { callSessions, subscriptions } from "@cac/db";
import { and, count, eq, gte, sql } from "drizzle-orm";
import { type Plan } from "../domain/plans";
import type { Ports } from "../ports";
import { currentPlan } from "./plan-limits";

/** Start of the usage period: the subscription's current period, else the calendar month (UTC). */
export async function usagePeriodStart(deps: Pick<Ports, "db">, accountId: string, now: Date): Promise<Date> {
  const [sub] = await deps.db
    .select({ start: subscriptions.currentPeriodStart, end: subscriptions.currentPeriodEnd })
    .from(subscriptions)
    .where(eq(subscriptions.accountId, accountId));
  if (sub?.start && sub.end && sub.start <= now && now < sub.end) return sub.start;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
}

export type Usage = {
  plan: Plan;
  periodStart: Date;
  calls: number;
  /** Billed minutes: each call rounds up to the next whole minute. */
  minutesUsed: number;
  minutesLeft: number;
};

export async function getUsage(deps: Pick<Ports, "db" | "clock">, accountId: string): Promise<Usage> {
  const now = deps.clock.now();
  const [plan, periodStart] = await Promise.all([currentPlan(deps, accountId), usagePeriodStart(deps, accountId, now)]);
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
    calls: row?.calls ?? 0,
    minutesUsed,
    minutesLeft: Math.max(0, plan.minutesPerMonth - minutesUsed),
  };
}

/** The call length allowed now: the plan's maximum, capped by the minutes left this period. */
export function allowedCallSeconds(usage: Usage): number {
  return Math.min(usage.plan.maxCallSeconds, usage.minutesLeft * 60);
}
