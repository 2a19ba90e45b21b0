import { abuseFlags, securityEvents } from "@cac/db";
import { and, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { ipKey } from "../domain/ip";
import type { Ports } from "../ports";

/** A flag in force at `now`: not cleared, and not expired (no expiry: in force until cleared). */
export function flagInForce(now: Date): SQL {
  return and(
    isNull(abuseFlags.clearedAt),
    or(isNull(abuseFlags.expiresAt), gt(abuseFlags.expiresAt, now)),
  ) as SQL;
}

/**
 * The active flag or block that applies to this IP for this account, if any. Flags are kept by
 * ipKey, so a block of an IPv6 address applies to every address of its /64.
 */
export async function findActiveBlock(deps: Pick<Ports, "db">, ip: string, accountId: string, now: Date) {
  const [flag] = await deps.db
    .select({ id: abuseFlags.id, reason: abuseFlags.reason, source: abuseFlags.source })
    .from(abuseFlags)
    .where(
      and(
        eq(abuseFlags.ip, ipKey(ip)),
        flagInForce(now),
        // A customer's block applies to their own account only.
        or(isNull(abuseFlags.accountId), eq(abuseFlags.accountId, accountId)),
      ),
    )
    .limit(1);
  return flag ?? null;
}

/** ip_key() of a column holding an address as a request gave it (see domain/ip.ts and migration 0004). */
export function ipKeyOf(column: AnyPgColumn | SQL): SQL<string | null> {
  return sql<string | null>`ip_key(${column})`;
}

export async function recordSecurityEvent(
  deps: Pick<Ports, "db">,
  event: { ip: string | null; kind: string; accountId?: string | null; detail?: Record<string, unknown> },
) {
  await deps.db.insert(securityEvents).values({
    ip: event.ip,
    kind: event.kind,
    accountId: event.accountId ?? null,
    detail: event.detail ?? {},
  });
}
