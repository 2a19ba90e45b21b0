import { abuseFlags, securityEvents } from "@cac/db";
import { and, eq, isNull, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { ipKey } from "../domain/ip";
import type { Ports } from "../ports";
import { atInstant, type Instant } from "./instant";

/** A flag in force at `now`: not cleared, and not expired (no expiry: in force until cleared). */
export function flagInForce(now: Instant): SQL {
  return and(
    isNull(abuseFlags.clearedAt),
    or(isNull(abuseFlags.expiresAt), sql`${abuseFlags.expiresAt} > ${atInstant(now)}`),
  ) as SQL;
}

/**
 * The active flag or block that applies to this IP for this account, if any. Flags are kept by
 * ipKey, so a block of an IPv6 address applies to every address of its /64.
 */
export async function findActiveBlock(deps: Pick<Ports, "db">, ip: string, accountId: string, now: Date) {
  const [flag] = await activeBlockQuery(deps, ipKey(ip), accountId, now);
  return flag ?? null;
}

/**
 * The query of findActiveBlock, for the IP's key (ipKey). `accountId` may be a column of an outer
 * query (the widget's button, read with it in one round trip: see widget-visit.ts).
 */
export function activeBlockQuery(
  deps: Pick<Ports, "db">,
  key: string | SQLWrapper,
  accountId: string | SQLWrapper,
  now: Instant,
) {
  return deps.db
    .select({ id: abuseFlags.id, reason: abuseFlags.reason, source: abuseFlags.source })
    .from(abuseFlags)
    .where(
      and(
        eq(abuseFlags.ip, key),
        flagInForce(now),
        // A customer's block applies to their own account only.
        or(isNull(abuseFlags.accountId), eq(abuseFlags.accountId, accountId)),
      ),
    )
    .limit(1);
}

/** ip_key() of a column holding an address as a request gave it (see domain/ip.ts and migration 0006_ip_key). */
export function ipKeyOf(column: AnyPgColumn | SQL): SQL<string | null> {
  return sql<string | null>`ip_key(${column})`;
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
