import { abuseFlags, securityEvents } from "@cac/db";
import { and, eq, gt, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../ports";

/** A flag in force at `now`: not cleared, and not expired (no expiry: in force until cleared). */
export function flagInForce(now: Date): SQL {
  return and(
    isNull(abuseFlags.clearedAt),
    or(isNull(abuseFlags.expiresAt), gt(abuseFlags.expiresAt, now)),
  ) as SQL;
}

/**
 * The active flag or block that applies to this IP for this account, if any. `ip` may list the
 * address's spellings (as normalized and as the request gave it), so a flag written either way matches.
 */
export async function findActiveBlock(
  deps: Pick<Ports, "db">,
  ip: string | string[],
  accountId: string,
  now: Date,
) {
  const spellings = [...new Set(Array.isArray(ip) ? ip : [ip])];
  const [flag] = await deps.db
    .select({ id: abuseFlags.id, reason: abuseFlags.reason, source: abuseFlags.source })
    .from(abuseFlags)
    .where(
      and(
        inArray(abuseFlags.ip, spellings),
        flagInForce(now),
        // A customer's block applies to their own account only.
        or(isNull(abuseFlags.accountId), eq(abuseFlags.accountId, accountId)),
      ),
    )
    .limit(1);
  return flag ?? null;
}

/** A one-off event (a flag, a block, a clearing): one row each. */
export async function recordSecurityEvent(
  deps: Pick<Ports, "db" | "clock">,
  event: { ip: string | null; kind: string; accountId?: string | null; detail?: Record<string, unknown> },
) {
  await deps.db.insert(securityEvents).values({
    ip: event.ip,
    kind: event.kind,
    accountId: event.accountId ?? null,
    detail: event.detail ?? {},
    createdAt: deps.clock.now(),
  });
}

/**
 * A refusal (a blocked, throttled or unverified visitor), counted into one row per (IP, kind,
 * minute) by an upsert: a flood of retries adds to a count instead of writing a row each.
 */
export async function recordRefusal(
  deps: Pick<Ports, "db" | "clock">,
  event: { ip: string; kind: string; accountId?: string | null; detail?: Record<string, unknown> },
) {
  const now = deps.clock.now();
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  await deps.db
    .insert(securityEvents)
    .values({
      ip: event.ip,
      kind: event.kind,
      accountId: event.accountId ?? null,
      detail: event.detail ?? {},
      minute,
      createdAt: now,
    })
    .onConflictDoUpdate({
      target: [securityEvents.ip, securityEvents.kind, securityEvents.minute],
      set: { count: sql`${securityEvents.count} + 1` },
    });
}
