import { accounts, buttons, subscriptions } from "@cac/db";
import { and, eq, gt } from "drizzle-orm";
import type { Context, Settings } from "../context";
import { emails } from "../email/templates";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { verifyPassword } from "./auth";
import { ENTITLED_STATUSES } from "./billing-webhooks/events";
import { accountOwners } from "./owners";
import type { SessionAuth } from "./sessions";
import { throttle } from "./throttle";

/** A closed account is deleted this long after closing (the privacy policy promises 30 days). */
export const DELETION_DELAY_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Accounts whose deletion date is before this instant are deleted now: the jobs run every
 * `intervalSeconds`, so the run before the date does it, and deletion never comes late.
 */
export function deletionCutoff(now: Date, intervalSeconds: number): Date {
  return new Date(now.getTime() + intervalSeconds * 1000);
}

export type ClosureView = {
  status: "active" | "closed";
  closedAt: Date | null;
  /** When the retention job deletes the account; it can be reopened until then. */
  deleteAfter: Date | null;
};

function view(row: { status: "active" | "closed"; closedAt: Date | null; deleteAfter: Date | null }) {
  return { status: row.status, closedAt: row.closedAt, deleteAfter: row.deleteAfter } satisfies ClosureView;
}

/**
 * The account's buttons start or stop answering, or their public config names the account
 * differently: their public configs are dropped everywhere.
 */
export async function forgetButtons(deps: Pick<Ports, "db" | "publicConfig">, accountId: string) {
  const rows = await deps.db
    .select({ publicId: buttons.publicId })
    .from(buttons)
    .where(eq(buttons.accountId, accountId));
  await deps.publicConfig.forget(rows.map((row) => row.publicId));
}

export async function closureStatus(deps: Pick<Ports, "db">, accountId: string): Promise<ClosureView> {
  const [row] = await deps.db
    .select({ status: accounts.status, closedAt: accounts.closedAt, deleteAfter: accounts.deleteAfter })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  if (!row) throw new AppError("NOT_FOUND", "This account no longer exists.");
  return view(row);
}

/**
 * Closes the caller's account after checking their password: its buttons stop taking calls at
 * once (widget lookups skip closed accounts), and the retention job deletes it 30 days later.
 * A paid subscription still renewing must be canceled in Billing first, so nobody is charged for
 * an account that is going away (we do not cancel at Stripe from here). Closing twice is a no-op.
 */
export async function closeAccount(ctx: Context, auth: SessionAuth, input: { password: string }) {
  // Each attempt is a password guess through this session (shared with changing the password);
  // guesses at the login form do not count here.
  await throttle(ctx, "password.session", auth.session.id);
  if (!(await verifyPassword(auth.user.passwordHash, input.password))) {
    throw new AppError("WRONG_PASSWORD", "That password is not correct.", {
      fieldErrors: { password: ["That password is not correct."] },
    });
  }
  const [subscription] = await ctx.db
    .select({ status: subscriptions.status, cancelAtPeriodEnd: subscriptions.cancelAtPeriodEnd })
    .from(subscriptions)
    .where(eq(subscriptions.accountId, auth.account.id));
  if (subscription && ENTITLED_STATUSES.has(subscription.status) && !subscription.cancelAtPeriodEnd) {
    throw new AppError(
      "CONFLICT",
      "Your paid plan is still renewing. Cancel it in Billing first (it stays active until the end of the period), then close the account.",
    );
  }
  const now = ctx.clock.now();
  const deleteAfter = new Date(now.getTime() + DELETION_DELAY_MS);
  const [closed] = await ctx.db
    .update(accounts)
    .set({ status: "closed", closedAt: now, deleteAfter, updatedAt: now })
    .where(and(eq(accounts.id, auth.account.id), eq(accounts.status, "active")))
    .returning({ status: accounts.status, closedAt: accounts.closedAt, deleteAfter: accounts.deleteAfter });
  if (!closed) return closureStatus(ctx, auth.account.id);
  await forgetButtons(ctx, auth.account.id);
  ctx.log.info({ accountId: auth.account.id, deleteAfter }, "account closed");

  const owners = await accountOwners(ctx.db, auth.account.id);
  const reopenUrl = new URL("/account#close-account", ctx.settings.publicUrl).toString();
  for (const owner of owners) {
    // The account is closed either way; a lost confirmation is logged by the mailer.
    await ctx.mailer.send(
      emails.accountClosing(owner.email, owner.name, deleteAfter, reopenUrl, auth.account.timezone),
    );
  }
  return view(closed);
}

/** Reopens a closed account before its deletion date; an active account stays as it is. */
export async function reopenAccount(
  deps: Pick<Ports, "db" | "clock" | "log" | "publicConfig"> & { settings: Pick<Settings, "jobs"> },
  auth: SessionAuth,
) {
  const now = deps.clock.now();
  // The deletion job may take the account one run ahead of its date (see deletionCutoff).
  const lastChance = deletionCutoff(now, deps.settings.jobs?.intervalSeconds ?? 0);
  const [reopened] = await deps.db
    .update(accounts)
    .set({ status: "active", closedAt: null, deleteAfter: null, updatedAt: now })
    .where(
      and(
        eq(accounts.id, auth.account.id),
        eq(accounts.status, "closed"),
        gt(accounts.deleteAfter, lastChance),
      ),
    )
    .returning({ status: accounts.status, closedAt: accounts.closedAt, deleteAfter: accounts.deleteAfter });
  if (reopened) {
    await forgetButtons(deps, auth.account.id);
    deps.log.info({ accountId: auth.account.id }, "account reopened");
    return view(reopened);
  }
  const current = await closureStatus(deps, auth.account.id);
  if (current.status === "closed") {
    throw new AppError(
      "CONFLICT",
      "This account has reached its deletion date and can no longer be reopened. It is being deleted.",
    );
  }
  return current;
}
