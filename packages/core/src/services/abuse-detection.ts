import { abuseFlags, callSessions } from "@cac/db";
import { and, eq, isNull, ne, type SQLWrapper, sql } from "drizzle-orm";
import type { Context } from "../context";
import type { AbuseThresholds } from "../domain/abuse-thresholds";
import { ipKey } from "../domain/ip";
import type { Ports } from "../ports";
import { flagInForce, ipKeyOf, recordSecurityEvent } from "./abuse";
import { atInstant, type Instant, secondsBefore } from "./instant";
import { returned } from "./rows";

export type AbuseRule = "call-starts" | "short-calls" | "accounts";

export type IpActivity = { starts: number; shortCalls: number; otherAccounts: number };

function describeWindow(seconds: number) {
  if (seconds % 3600 === 0) return seconds === 3600 ? "an hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "a minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

/**
 * What this IP did recently, each count over its rule's window. An IPv6 address counts with every
 * address of its /64 (ipKey). Calls from before the IP's last flag (site-wide) never count again:
 * once an operator clears the flag, or it expires, the IP starts afresh instead of being flagged
 * again by the same calls. One query on (ip_key(visitor_ip), started_at).
 */
export async function ipActivity(
  deps: Pick<Ports, "db">,
  thresholds: AbuseThresholds,
  ip: string,
  accountId: string,
  now: Date,
): Promise<IpActivity> {
  const queries = ipActivityQueries(deps, thresholds, ipKey(ip), accountId, now);
  const [[counts], [accounts]] = await Promise.all([queries.counts, queries.otherAccounts]);
  return toIpActivity({ ...counts, ...accounts });
}

/**
 * The queries of ipActivity: the IP's starts and short calls, and the other accounts it called.
 * `accountId` may be a column of an outer query (the widget's button, read with it in one round
 * trip: see widget-visit.ts); it is compared in a WHERE, where Drizzle keeps columns qualified
 * (it leaves them bare in a subquery's selected fields, where it would name the inner table).
 */
export function ipActivityQueries(
  deps: Pick<Ports, "db">,
  thresholds: AbuseThresholds,
  key: string | SQLWrapper,
  accountId: string | SQLWrapper,
  now: Instant,
) {
  // Only flags that have ended move the start: while one is active, a racing start must still
  // see the calls that crossed the threshold (and then finds the flag instead of passing).
  const lastFlag = sql`coalesce((select max(${abuseFlags.createdAt}) from ${abuseFlags} where ${abuseFlags.ip} = ${key} and ${abuseFlags.accountId} is null and (${abuseFlags.clearedAt} is not null or ${abuseFlags.expiresAt} <= ${atInstant(now)})), '-infinity'::timestamptz)`;
  const since = (windowSeconds: number) => sql`greatest(${secondsBefore(now, windowSeconds)}, ${lastFlag})`;
  const { callStarts, shortCalls, accounts } = thresholds;
  const fromIp = eq(ipKeyOf(callSessions.visitorIp), key);
  return {
    counts: deps.db
      .select({
        starts:
          sql<number>`(count(*) filter (where ${callSessions.startedAt} > ${since(callStarts.windowSeconds)}))::int`.as(
            "starts",
          ),
        shortCalls:
          sql<number>`(count(*) filter (where ${callSessions.startedAt} > ${since(shortCalls.windowSeconds)} and ${callSessions.answeredAt} is not null and ${callSessions.endedAt} is not null and ${callSessions.durationSeconds} < ${shortCalls.underSeconds}))::int`.as(
            "short_calls",
          ),
      })
      .from(callSessions)
      .where(
        and(
          fromIp,
          sql`${callSessions.startedAt} > ${since(Math.max(callStarts.windowSeconds, shortCalls.windowSeconds))}`,
        ),
      ),
    otherAccounts: deps.db
      .select({
        otherAccounts: sql<number>`count(distinct ${callSessions.accountId})::int`.as("other_accounts"),
      })
      .from(callSessions)
      .where(
        and(
          fromIp,
          sql`${callSessions.startedAt} > ${since(accounts.windowSeconds)}`,
          ne(callSessions.accountId, accountId),
        ),
      ),
  };
}

/** The counts of ipActivityQueries' rows (none: no calls at all). */
export function toIpActivity(row: {
  starts?: number | null;
  shortCalls?: number | null;
  otherAccounts?: number | null;
}): IpActivity {
  return {
    starts: Number(row.starts ?? 0),
    shortCalls: Number(row.shortCalls ?? 0),
    otherAccounts: Number(row.otherAccounts ?? 0),
  };
}

/** The first rule this attempt crosses, with the reason an operator reads, or null. */
export function crossedRule(
  thresholds: AbuseThresholds,
  activity: IpActivity,
): { rule: AbuseRule; reason: string } | null {
  const { callStarts, shortCalls, accounts } = thresholds;
  if (activity.starts >= callStarts.max) {
    return {
      rule: "call-starts",
      reason: `Started more than ${callStarts.max} calls within ${describeWindow(callStarts.windowSeconds)}.`,
    };
  }
  if (activity.shortCalls >= shortCalls.count) {
    return {
      rule: "short-calls",
      reason: `${activity.shortCalls} answered calls shorter than ${shortCalls.underSeconds} seconds within ${describeWindow(shortCalls.windowSeconds)}.`,
    };
  }
  // This attempt's account makes one more.
  if (activity.otherAccounts + 1 > accounts.max) {
    return {
      rule: "accounts",
      reason: `Called more than ${accounts.max} different businesses within ${describeWindow(accounts.windowSeconds)}.`,
    };
  }
  return null;
}

/**
 * Flags an IP (by its ipKey: an IPv6 address's /64) site-wide unless an active site-wide flag exists already (then that one is
 * returned): two call starts racing past a threshold make one flag, not two.
 */
export async function flagIp(
  deps: Pick<Ports, "db">,
  flag: { ip: string; reason: string; source: "auto" | "operator"; expiresAt: Date | null },
  now: Date,
): Promise<{ id: string; created: boolean }> {
  const ip = ipKey(flag.ip);
  return deps.db.transaction(async (tx) => {
    // Serializes flagging per IP across server instances for this transaction's length.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`abuse-flag:${ip}`}, 0))`);
    const [active] = await tx
      .select({ id: abuseFlags.id })
      .from(abuseFlags)
      .where(and(eq(abuseFlags.ip, ip), isNull(abuseFlags.accountId), flagInForce(now)))
      .limit(1);
    if (active) return { id: active.id, created: false };
    const rows = await tx
      .insert(abuseFlags)
      .values({ ...flag, ip, accountId: null, createdAt: now })
      .returning({ id: abuseFlags.id });
    return { id: returned(rows, "abuse flag").id, created: true };
  });
}

/**
 * Runs the thresholds for a call start from `ip` to `accountId`. When one is crossed the IP is
 * flagged (source auto, for `flagSeconds`) and the flagging is logged as a security event; the
 * caller refuses the call. Returns the flag, or null when the IP is within every threshold.
 */
export async function detectAbuseAtCallStart(
  ctx: Pick<Context, "db" | "clock" | "settings" | "log">,
  ip: string,
  accountId: string,
  now: Date,
  /** The IP's activity when already read (with the widget's button: see widget-visit.ts). */
  known?: IpActivity,
): Promise<{ id: string; rule: AbuseRule; reason: string } | null> {
  const thresholds = ctx.settings.abuse;
  const activity = known ?? (await ipActivity(ctx, thresholds, ip, accountId, now));
  const crossed = crossedRule(thresholds, activity);
  if (!crossed) return null;
  const expiresAt = new Date(now.getTime() + thresholds.flagSeconds * 1000);
  const flag = await flagIp(ctx, { ip, reason: crossed.reason, source: "auto", expiresAt }, now);
  if (flag.created) {
    ctx.log.warn({ ip, rule: crossed.rule, flagId: flag.id }, "IP flagged for abuse");
    await recordSecurityEvent(ctx, {
      ip,
      kind: "ip_flagged",
      accountId,
      detail: { flagId: flag.id, rule: crossed.rule, reason: crossed.reason, ...activity },
    });
  }
  return { id: flag.id, ...crossed };
}
