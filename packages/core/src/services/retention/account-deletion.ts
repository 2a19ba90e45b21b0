import {
  accounts,
  billingRecords,
  buttons,
  callSessions,
  contactMessages,
  memberships,
  securityEvents,
  users,
} from "@cac/db";
import { and, eq, exists, inArray, isNotNull, isNull, lte, ne, not, or, sql } from "drizzle-orm";
import { emails } from "../../email/templates";
import { deletionCutoff } from "../account-closure";
import { flagged } from "./flagged";
import {
  DEFAULT_BATCH,
  inBatches,
  type RetentionDeps,
  type RetentionOptions,
  type RetentionResult,
  withJobLock,
} from "./job-lock";

const DEFAULT_ACCOUNT_BATCH = 20;

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
 * their login sessions and email tokens, buttons, callback requests, the notes on calls and
 * callbacks, the subscription and the account's own IP blocks; billing records stay, with `account_id` set to null, holding only
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
  deps: RetentionDeps,
  options: RetentionOptions = {},
): Promise<RetentionResult<AccountDeletionCounts>> {
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
  deps: RetentionDeps,
  job: string,
  accountId: string,
  { now, cutoff }: { now: Date; cutoff: Date },
  batch: number,
  counts: AccountDeletionCounts,
): Promise<boolean> {
  // Calls first, in batches, so no single transaction has to delete a long call history.
  const callsDone = await inBatches(
    deps.db,
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
    const members = await tx
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        role: memberships.role,
        // A person who also belongs to another account keeps their login there.
        elsewhere: sql<boolean>`exists (select 1 from ${memberships} as other where other.user_id = ${users.id} and other.account_id <> ${accountId})`,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.accountId, accountId));
    const people = members.filter((person) => !person.elsewhere);

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
    // The people who belonged to this account only go with it (their sessions, email tokens and
    // notice dismissals cascade).
    if (people.length) {
      await tx.delete(users).where(
        inArray(
          users.id,
          people.map((p) => p.id),
        ),
      );
    }
    // Cascades to memberships, sessions working in it, invitations, buttons, callback requests,
    // the subscription and the account's blocks; billing records keep their rows (set null).
    await tx.delete(accounts).where(eq(accounts.id, accountId));
    return { people, owners: members.filter((m) => m.role === "owner"), logos, contacts: contacts.length };
  });
  if (!result.locked) return false;
  if (result.value) {
    // After the commit, as the billing webhooks do: only the run that deleted the account tells
    // the owners, once (the addresses were read in that transaction).
    let sent = 0;
    for (const person of result.value.owners) {
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
