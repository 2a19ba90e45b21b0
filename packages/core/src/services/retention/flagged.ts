import { abuseFlags } from "@cac/db";
import { and, eq, exists, isNull, or, type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { flagInForce, ipKeyOf } from "../abuse";
import type { Tx } from "../rows";

/**
 * An active abuse flag (not cleared, not expired) on `ip`, or on its /64 for IPv6 (flags are kept
 * by ip_key). A global flag counts for every row; a customer's block only for that account's rows
 * (`accountId` null: global flags only).
 */
export function flagged(tx: Tx, ip: AnyPgColumn, accountId: AnyPgColumn | null, now: Date): SQL {
  return exists(
    tx
      .select({ one: sql`1` })
      .from(abuseFlags)
      .where(
        and(
          eq(abuseFlags.ip, ipKeyOf(ip)),
          flagInForce(now),
          accountId
            ? or(isNull(abuseFlags.accountId), eq(abuseFlags.accountId, accountId))
            : isNull(abuseFlags.accountId),
        ),
      ),
  );
}
