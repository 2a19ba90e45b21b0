import type { Ports } from "@cac/core";
import {
  ABSOLUTE_LIFETIME_MS,
  deletionCutoff,
  emails,
  flagInForce,
  INACTIVITY_TIMEOUT_MS,
  ipKeyOf,
  purgeFinishedWork,
} from "@cac/core";
import {
  abuseFlags,
  accounts,
  authSessions,
  billingRecords,
  buttons,
  callbackRequests,
  callSessions,
  contactMessages,
  securityEvents,
  users,
} from "@cac/db";
import {
  and,
  eq,
  exists,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  not,
  or,
  type SQL,
  sql,
} from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { type Tx, withJobLock } from "./job-lock";

/** Security IP logs are kept at most this many months, unless the IP is flagged (privacy policy). */
export const IP_RETENTION_MONTHS = 12;

export type JobDeps = Pick<Ports, "db" | "clock" | "log" | "mailer" | "storage">;
export type JobOptions = {
  /** Rows changed per transaction; each transaction holds the job's lock only briefly. */
  batchSize?: number;
  /** Closed accounts looked up per round. */
  accountBatchSize?: number;
  /** Seconds until the next run: accounts due before it are deleted in this one (default 0). */
  intervalSeconds?: number;
};

/** What a run did; `skipped` when another instance held the job's lock. */
export type JobResult<C extends Record<string, number>> =
  | { outcome: "done"; counts: C }
  | { outcome: "skipped"; counts: C };

const DEFAULT_BATCH = 5000;
const DEFAULT_ACCOUNT_BATCH = 20;

export function ipRetentionCutoff(now: Date): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - IP_RETENTION_MONTHS);
  return cutoff;
}

/**
 * An active abuse flag (not cleared, not expired) on `ip`, or on its /64 for IPv6 (flags are kept
 * by ip_key). A global flag counts for every row; a customer's block only for that account's rows
 * (`accountId` null: global flags only).
 */
function flagged(tx: Tx, ip: AnyPgColumn, accountId: AnyPgColumn | null, now: Date): SQL {
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

/**
 * Repeats `step` (one batch in one locked transaction) until it changes fewer rows than a batch.
 * Returns false when another instance holds the lock (this run then stops).
 */
async function inBatches(
  deps: JobDeps,
  job: string,
  batchSize: number,
  step: (tx: Tx) => Promise<number>,
  add: (n: number) => void,
): Promise<boolean> {
  for (;;) {
    const result = await withJobLock(deps.db, job, step);
    if (!result.locked) return false;
    add(result.value);
    if (result.value < batchSize) return true;
  }
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
  deps: JobDeps,
  options: JobOptions = {},
): Promise<JobResult<IpRetentionCounts>> {
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
    const ran = await inBatches(deps, job, batch, step, (n) => {
      counts[name] += n;
    });
    if (!ran) return { outcome: "skipped", counts };
  }
  return { outcome: "done", counts };
}

/**
 * The email queue's finished rows hold email addresses and subjects (their bodies, with links, go
 * when they finish): sent rows are deleted a day after sending, rows given up on a week after.
 */
export async function purgeEmailQueue(
  deps: JobDeps,
  options: JobOptions = {},
): Promise<JobResult<{ queuedEmailsDeleted: number }>> {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const now = deps.clock.now();
  const counts = { queuedEmailsDeleted: 0 };
  const ran = await inBatches(
    deps,
    "email-queue",
    batch,
    (tx) => purgeFinishedWork(tx, now, batch),
    (n) => {
      counts.queuedEmailsDeleted += n;
    },
  );
  return { outcome: ran ? "done" : "skipped", counts };
}

export type AccountDeletionCounts = {
  accountsDeleted: number;
  usersDeleted: number;
  callSessionsDeleted: number;
  logosDeleted: number;
  contactMessagesDeleted: number;
  emailsSent: number;
  /** Accounts whose deletion failed this run (logged); the next run retries them. */
  accountsFailed: number;
};

/** The account, if it is closed and due by `cutoff` (checked again in every transaction). */
function dueAccount(id: string, cutoff: Date) {
  return and(eq(accounts.id, id), eq(accounts.status, "closed"), lte(accounts.deleteAfter, cutoff));
}

/**
 * Deletes accounts closed 30 days ago (`deleteAfter` reached). For each one: its call sessions
 * in batches; then in one transaction the owners are told by email, the logo files no other
 * account uses are removed from storage, contact-form messages sent from its users' addresses
 * are deleted, its billing records lose the hosted invoice link (which shows the customer's name
 * and address at Stripe), and the account row is deleted. The database cascades that to users,
 * their login sessions and email tokens, buttons, callback requests, the subscription and the
 * account's own IP blocks; billing records stay, with `account_id` set to null, holding only
 * amounts, dates, status, currency, the line description and the Stripe invoice id.
 *
 * A crash midway leaves the account row in place, so the next run picks it up and finishes.
 * The owners' addresses are read in the deleting transaction and the "account deleted" email is
 * queued right after its commit (queuing inside it would deadlock PGlite, where the mailer's queue
 * is in the same single-connection database): every owner is told once, unless the process
 * dies in the instant between the commit and the queuing. A mailer that cannot queue is logged
 * and does not hold up the deletion, which the privacy policy promises.
 */
export async function deleteClosedAccounts(
  deps: JobDeps,
  options: JobOptions = {},
): Promise<JobResult<AccountDeletionCounts>> {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const accountBatch = options.accountBatchSize ?? DEFAULT_ACCOUNT_BATCH;
  const now = deps.clock.now();
  const cutoff = deletionCutoff(now, options.intervalSeconds ?? 0);
  const job = "account-deletion";
  const counts: AccountDeletionCounts = {
    accountsDeleted: 0,
    usersDeleted: 0,
    callSessionsDeleted: 0,
    logosDeleted: 0,
    contactMessagesDeleted: 0,
    emailsSent: 0,
    accountsFailed: 0,
  };
  const failed = new Set<string>();
  for (;;) {
    const due = await deps.db
      .select({ id: accounts.id })
      .from(accounts)
      .where(and(eq(accounts.status, "closed"), lte(accounts.deleteAfter, cutoff)))
      .orderBy(accounts.deleteAfter, accounts.id)
      .limit(accountBatch + failed.size);
    const todo = due.map((row) => row.id).filter((id) => !failed.has(id));
    if (todo.length === 0) break;
    for (const accountId of todo) {
      try {
        const ran = await deleteAccount(deps, job, accountId, { now, cutoff }, batch, counts);
        if (!ran) return { outcome: "skipped", counts: { ...counts, accountsFailed: failed.size } };
      } catch (error) {
        // The next run retries it; the others go ahead now.
        failed.add(accountId);
        deps.log.error(
          { err: error, accountId },
          "deleting a closed account failed; retrying on the next run",
        );
      }
    }
  }
  counts.accountsFailed = failed.size;
  return { outcome: "done", counts };
}

async function deleteAccount(
  deps: JobDeps,
  job: string,
  accountId: string,
  { now, cutoff }: { now: Date; cutoff: Date },
  batch: number,
  counts: AccountDeletionCounts,
): Promise<boolean> {
  // Calls first, in batches, so no single transaction has to delete a long call history.
  const callsDone = await inBatches(
    deps,
    job,
    batch,
    async (tx) => {
      const dueCalls = tx
        .select({ id: callSessions.id })
        .from(callSessions)
        .where(
          and(
            eq(callSessions.accountId, accountId),
            exists(tx.select({ id: accounts.id }).from(accounts).where(dueAccount(accountId, cutoff))),
          ),
        )
        .limit(batch);
      const rows = await tx
        .delete(callSessions)
        .where(inArray(callSessions.id, dueCalls))
        .returning({ id: callSessions.id });
      return rows.length;
    },
    (n) => {
      counts.callSessionsDeleted += n;
    },
  );
  if (!callsDone) return false;

  const result = await withJobLock(deps.db, job, async (tx) => {
    const [account] = await tx.select().from(accounts).where(dueAccount(accountId, cutoff)).for("update");
    // Deleted by another run meanwhile, or reopened: nothing to do.
    if (!account) return null;
    const people = await tx
      .select({ email: users.email, name: users.name, role: users.role })
      .from(users)
      .where(eq(users.accountId, accountId));

    const keys = (
      await tx
        .selectDistinct({ key: buttons.logoKey })
        .from(buttons)
        .where(and(eq(buttons.accountId, accountId), isNotNull(buttons.logoKey)))
    ).map((row) => row.key as string);
    // Logo keys are content hashes, so another account may use the very same file.
    const shared = keys.length
      ? new Set(
          (
            await tx
              .selectDistinct({ key: buttons.logoKey })
              .from(buttons)
              .where(and(inArray(buttons.logoKey, keys), ne(buttons.accountId, accountId)))
          ).map((row) => row.key),
        )
      : new Set<string | null>();
    let logos = 0;
    for (const key of keys) {
      if (shared.has(key)) continue;
      // Deleting a file that is already gone succeeds (a rerun after a crash).
      await deps.storage.delete(key);
      logos += 1;
    }

    const addresses = people.map((p) => p.email.toLowerCase());
    const contacts = addresses.length
      ? await tx
          .delete(contactMessages)
          .where(inArray(sql`lower(${contactMessages.email})`, addresses))
          .returning({ id: contactMessages.id })
      : [];
    // Its security events lose the account link through the foreign key; those about an IP
    // under an active operator flag are kept as evidence, the rest go now.
    await tx
      .delete(securityEvents)
      .where(
        and(
          eq(securityEvents.accountId, accountId),
          or(isNull(securityEvents.ip), not(flagged(tx, securityEvents.ip, null, now))),
        ),
      );
    await tx.update(billingRecords).set({ invoiceUrl: null }).where(eq(billingRecords.accountId, accountId));
    // Cascades to users (sessions, email tokens, notice dismissals), buttons, callback requests,
    // the subscription and the account's blocks; billing records keep their rows (set null).
    await tx.delete(accounts).where(eq(accounts.id, accountId));
    return { people, logos, contacts: contacts.length };
  });
  if (!result.locked) return false;
  if (result.value) {
    // After the commit, as the billing webhooks do: only the run that deleted the account tells
    // the owners, once (the addresses were read in that transaction).
    let sent = 0;
    for (const person of result.value.people.filter((p) => p.role === "owner")) {
      await deps.mailer.send(emails.accountDeleted(person.email, person.name));
      sent += 1;
    }
    const done = {
      users: result.value.people.length,
      logos: result.value.logos,
      sent,
      contacts: result.value.contacts,
    };
    counts.accountsDeleted += 1;
    counts.usersDeleted += done.users;
    counts.logosDeleted += done.logos;
    counts.emailsSent += done.sent;
    counts.contactMessagesDeleted += done.contacts;
    deps.log.info({ accountId, ...done }, "closed account deleted");
  }
  return true;
}
