import { randomUUID } from "node:crypto";
import { type Db, emailQueue, type QueuedEmailRow } from "@cac/db";
import { and, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import type { MailMessage, QueuedWork, SignupRequest } from "../ports";
import { completePasswordReset, completeSignup, type QueuedRequestDeps } from "./auth";

/**
 * How long a claim holds a row. Far longer than a delivery may take (Resend's adapter gives up
 * after 10 s), so a live worker never loses its row; a worker that died lets it go after this.
 */
export const CLAIM_LEASE_MS = 60_000;
/** The first retry comes after this; each next one after twice as long, up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 30_000;
export const RETRY_MAX_MS = 60 * 60_000;
/** Sent rows (recipient and subject only) are deleted this long after sending. */
export const SENT_RETENTION_MS = 24 * 60 * 60_000;
/** Rows given up on (recipient, subject and the last error) are deleted this long after. */
export const FAILED_RETENTION_MS = 7 * 24 * 60 * 60_000;

/** A row this worker claimed: only the holder of `claimToken` can finish it. */
export type ClaimedWork = QueuedEmailRow;

/** Wait before the retry that follows failed attempt number `attempt` (1, 2, …). */
export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempt - 1));
}

/** Stores work, due at once. `createdAt` keeps a request's time on the emails it leads to. */
export async function enqueueWork(db: Db, now: Date, work: QueuedWork, createdAt?: Date): Promise<void> {
  await db.insert(emailQueue).values({
    kind: work.kind,
    payload: work.payload,
    runAfter: now,
    ...(createdAt ? { createdAt } : {}),
  });
}

/**
 * Claims the next due row, or returns null. One statement: the row is picked and locked with
 * FOR UPDATE SKIP LOCKED, so workers on any number of instances never claim the same row, and
 * marked as being sent until the lease's end. A row whose lease ran out (its worker died) is due
 * again; the claim counts as an attempt, so a message that kills its worker is given up on too.
 */
export async function claimWork(db: Db, now: Date): Promise<ClaimedWork | null> {
  const due = db
    .select({ id: emailQueue.id })
    .from(emailQueue)
    .where(and(inArray(emailQueue.status, ["queued", "sending"]), lte(emailQueue.runAfter, now)))
    .orderBy(emailQueue.runAfter)
    .limit(1)
    .for("update", { skipLocked: true });
  const [row] = await db
    .update(emailQueue)
    .set({
      status: "sending",
      attempts: sql`${emailQueue.attempts} + 1`,
      claimToken: randomUUID(),
      runAfter: new Date(now.getTime() + CLAIM_LEASE_MS),
    })
    .where(inArray(emailQueue.id, due))
    .returning();
  return row ?? null;
}

const held = (claim: ClaimedWork) =>
  and(eq(emailQueue.id, claim.id), eq(emailQueue.claimToken, claim.claimToken ?? ""));

/** What a finished row keeps: who it was for and what it was, never its links or a password hash. */
function summary(claim: ClaimedWork): Record<string, unknown> {
  if (claim.kind === "email") {
    const { to, subject } = claim.payload as MailMessage;
    return { to, subject };
  }
  return { email: (claim.payload as { email: string }).email };
}

/** The message was accepted. False when the claim was lost meanwhile (its lease ran out). */
export async function markSent(db: Db, claim: ClaimedWork, now: Date): Promise<boolean> {
  const rows = await db
    .update(emailQueue)
    .set({ status: "sent", finishedAt: now, claimToken: null, payload: summary(claim) })
    .where(held(claim))
    .returning({ id: emailQueue.id });
  return rows.length > 0;
}

/** Why an attempt failed, as kept in the row: the error's message and its cause's. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 2000);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : "";
  return `${error.message}${cause}`.slice(0, 2000);
}

export type FailureOutcome = { outcome: "retry"; at: Date } | { outcome: "failed" } | { outcome: "lost" };

/**
 * An attempt failed: the row is queued again after a backoff, or, after `maxAttempts`, given up
 * on (status "failed", its body dropped). Either way the cause is kept in `lastError`.
 */
export async function markFailed(
  db: Db,
  claim: ClaimedWork,
  now: Date,
  error: unknown,
  maxAttempts: number,
): Promise<FailureOutcome> {
  const lastError = describeFailure(error);
  const giveUp = claim.attempts >= maxAttempts;
  const at = new Date(now.getTime() + retryDelayMs(claim.attempts));
  const rows = await db
    .update(emailQueue)
    .set(
      giveUp
        ? {
            status: "failed",
            finishedAt: now,
            runAfter: now,
            claimToken: null,
            lastError,
            payload: summary(claim),
          }
        : { status: "queued", runAfter: at, claimToken: null, lastError },
    )
    .where(held(claim))
    .returning({ id: emailQueue.id });
  if (rows.length === 0) return { outcome: "lost" };
  return giveUp ? { outcome: "failed" } : { outcome: "retry", at };
}

/** Gives a claimed row back, due now and without counting the attempt (the server is stopping). */
export async function releaseClaim(db: Db, claim: ClaimedWork, now: Date): Promise<void> {
  await db
    .update(emailQueue)
    .set({ status: "queued", runAfter: now, claimToken: null, attempts: sql`${emailQueue.attempts} - 1` })
    .where(held(claim));
}

/**
 * Completes a claimed signup or reset request in one transaction: the row is deleted (which also
 * proves the claim is still this worker's), the request is completed, and the emails it leads to
 * are queued, all or nothing. Returns how many emails it queued; null when the claim was lost.
 */
export async function completeRequest(deps: QueuedRequestDeps, claim: ClaimedWork): Promise<number | null> {
  return deps.db.transaction(async (tx) => {
    const [mine] = await tx.delete(emailQueue).where(held(claim)).returning({ id: emailQueue.id });
    if (!mine) return null;
    const inTx = { ...deps, db: tx };
    const mails =
      claim.kind === "signup"
        ? await completeSignup(inTx, claim.payload as SignupRequest)
        : await completePasswordReset(inTx, claim.payload as { email: string });
    const now = deps.clock.now();
    for (const mail of mails) await enqueueWork(tx, now, { kind: "email", payload: mail }, claim.createdAt);
    return mails.length;
  });
}

/**
 * Deletes, at most `batch` at a time, sent rows a day after sending and rows given up on a week
 * after. Queued rows and rows being sent are never deleted here. Returns how many it deleted.
 */
export async function purgeFinishedWork(db: Db, now: Date, batch: number): Promise<number> {
  const due = db
    .select({ id: emailQueue.id })
    .from(emailQueue)
    .where(
      or(
        and(
          eq(emailQueue.status, "sent"),
          lt(emailQueue.finishedAt, new Date(now.getTime() - SENT_RETENTION_MS)),
        ),
        and(
          eq(emailQueue.status, "failed"),
          lt(emailQueue.finishedAt, new Date(now.getTime() - FAILED_RETENTION_MS)),
        ),
      ),
    )
    .limit(batch);
  const rows = await db
    .delete(emailQueue)
    .where(inArray(emailQueue.id, due))
    .returning({ id: emailQueue.id });
  return rows.length;
}
