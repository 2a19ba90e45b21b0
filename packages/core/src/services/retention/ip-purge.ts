import {
  abuseFlags,
  authSessions,
  callbackRequests,
  callSessions,
  contactMessages,
  securityEvents,
} from "@cac/db";
import { and, inArray, isNotNull, isNull, lt, lte, not, or } from "drizzle-orm";
import type { Tx } from "../rows";
import { ABSOLUTE_LIFETIME_MS, INACTIVITY_TIMEOUT_MS } from "../sessions";
import { flagged } from "./flagged";
import {
  DEFAULT_BATCH,
  inBatches,
  type RetentionDeps,
  type RetentionOptions,
  type RetentionResult,
} from "./job-lock";

/** Security IP logs are kept at most this many months, unless the IP is flagged (privacy policy). */
export const IP_RETENTION_MONTHS = 12;

export function ipRetentionCutoff(now: Date): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - IP_RETENTION_MONTHS);
  return cutoff;
}

export type IpRetentionCounts = {
  securityEventsDeleted: number;
  endedFlagsDeleted: number;
  callIpsCleared: number;
  callbackIpsCleared: number;
  contactIpsCleared: number;
  sessionIpsCleared: number;
  expiredSessionsDeleted: number;
};

/**
 * IPs kept for security are dropped after 12 months unless the IP is under an active flag:
 * security events and flags that ended over 12 months ago are deleted, and the IP is cleared from call sessions, callback requests,
 * contact messages and long-lived login sessions (the rows themselves stay). Sessions past their
 * inactivity timeout are deleted (they can never be used again). Idempotent: a rerun finds nothing.
 */
export async function purgeExpiredIps(
  deps: Pick<RetentionDeps, "db" | "clock">,
  options: RetentionOptions = {},
): Promise<RetentionResult<IpRetentionCounts>> {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const now = deps.clock.now();
  const cutoff = ipRetentionCutoff(now);
  const counts: IpRetentionCounts = {
    securityEventsDeleted: 0,
    endedFlagsDeleted: 0,
    callIpsCleared: 0,
    callbackIpsCleared: 0,
    contactIpsCleared: 0,
    sessionIpsCleared: 0,
    expiredSessionsDeleted: 0,
  };
  const job = "ip-retention";
  const steps: Array<[keyof IpRetentionCounts, (tx: Tx) => Promise<number>]> = [
    [
      "securityEventsDeleted",
      async (tx) => {
        const due = tx
          .select({ id: securityEvents.id })
          .from(securityEvents)
          .where(
            and(
              lt(securityEvents.createdAt, cutoff),
              or(
                isNull(securityEvents.ip),
                not(flagged(tx, securityEvents.ip, securityEvents.accountId, now)),
              ),
            ),
          )
          .limit(batch);
        const rows = await tx
          .delete(securityEvents)
          .where(inArray(securityEvents.id, due))
          .returning({ id: securityEvents.id });
        return rows.length;
      },
    ],
    [
      // A flag or block that ended (cleared, or expired) over 12 months ago keeps its IP no longer.
      "endedFlagsDeleted",
      async (tx) => {
        const due = tx
          .select({ id: abuseFlags.id })
          .from(abuseFlags)
          .where(
            or(
              lt(abuseFlags.clearedAt, cutoff),
              and(isNull(abuseFlags.clearedAt), lt(abuseFlags.expiresAt, cutoff)),
            ),
          )
          .limit(batch);
        const rows = await tx
          .delete(abuseFlags)
          .where(inArray(abuseFlags.id, due))
          .returning({ id: abuseFlags.id });
        return rows.length;
      },
    ],
    [
      "callIpsCleared",
      async (tx) => {
        const due = tx
          .select({ id: callSessions.id })
          .from(callSessions)
          .where(
            and(
              isNotNull(callSessions.visitorIp),
              lt(callSessions.startedAt, cutoff),
              not(flagged(tx, callSessions.visitorIp, callSessions.accountId, now)),
            ),
          )
          .limit(batch);
        const rows = await tx
          .update(callSessions)
          .set({ visitorIp: null })
          .where(inArray(callSessions.id, due))
          .returning({ id: callSessions.id });
        return rows.length;
      },
    ],
    [
      "callbackIpsCleared",
      async (tx) => {
        const due = tx
          .select({ id: callbackRequests.id })
          .from(callbackRequests)
          .where(
            and(
              isNotNull(callbackRequests.ip),
              lt(callbackRequests.createdAt, cutoff),
              not(flagged(tx, callbackRequests.ip, callbackRequests.accountId, now)),
            ),
          )
          .limit(batch);
        const rows = await tx
          .update(callbackRequests)
          .set({ ip: null })
          .where(inArray(callbackRequests.id, due))
          .returning({ id: callbackRequests.id });
        return rows.length;
      },
    ],
    [
      "contactIpsCleared",
      async (tx) => {
        const due = tx
          .select({ id: contactMessages.id })
          .from(contactMessages)
          .where(
            and(
              isNotNull(contactMessages.ip),
              lt(contactMessages.createdAt, cutoff),
              not(flagged(tx, contactMessages.ip, null, now)),
            ),
          )
          .limit(batch);
        const rows = await tx
          .update(contactMessages)
          .set({ ip: null })
          .where(inArray(contactMessages.id, due))
          .returning({ id: contactMessages.id });
        return rows.length;
      },
    ],
    [
      "sessionIpsCleared",
      async (tx) => {
        const due = tx
          .select({ id: authSessions.id })
          .from(authSessions)
          .where(and(isNotNull(authSessions.ip), lt(authSessions.createdAt, cutoff)))
          .limit(batch);
        const rows = await tx
          .update(authSessions)
          .set({ ip: null })
          .where(inArray(authSessions.id, due))
          .returning({ id: authSessions.id });
        return rows.length;
      },
    ],
    [
      "expiredSessionsDeleted",
      async (tx) => {
        const due = tx
          .select({ id: authSessions.id })
          .from(authSessions)
          .where(
            or(
              lte(authSessions.lastVerifiedAt, new Date(now.getTime() - INACTIVITY_TIMEOUT_MS)),
              lte(authSessions.createdAt, new Date(now.getTime() - ABSOLUTE_LIFETIME_MS)),
            ),
          )
          .limit(batch);
        const rows = await tx
          .delete(authSessions)
          .where(inArray(authSessions.id, due))
          .returning({ id: authSessions.id });
        return rows.length;
      },
    ],
  ];
  for (const [name, step] of steps) {
    const ran = await inBatches(deps.db, job, batch, step, (n) => {
      counts[name] += n;
    });
    if (!ran) return { outcome: "skipped", counts };
  }
  return { outcome: "done", counts };
}
