import { accounts, authSessions, users } from "@cac/db";
import { and, desc, eq } from "drizzle-orm";
import type { Context } from "../context";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { isOperator } from "./access";
import { forgetButtons } from "./account-closure";
import type { SessionAuth } from "./sessions";

/** `accountVerified`: an owner confirmed their email (until then the buttons are in test mode). */
export function describeMe(ctx: Pick<Context, "settings">, auth: SessionAuth, accountVerified: boolean) {
  const { user, account } = auth;
  return {
    user: {
      id: user.id,
      name: user.name,
      email: user.email,
      role: user.role,
      emailVerified: user.emailVerifiedAt !== null,
    },
    account: {
      id: account.id,
      companyName: account.companyName,
      websiteUrl: account.websiteUrl,
      phone: account.phone,
      timezone: account.timezone,
      plan: account.plan,
      status: account.status,
      verified: accountVerified,
    },
    isOperator: isOperator(ctx.settings, user.email, user.emailVerifiedAt !== null),
  };
}

export type ProfileInput = {
  name: string;
  companyName?: string | undefined;
  websiteUrl?: string | undefined;
  phone?: string | undefined;
};

/** The user's own name always; the company fields only for the account owner. */
export async function updateProfile(
  ctx: Pick<Ports, "db" | "clock" | "publicConfig">,
  auth: SessionAuth,
  input: ProfileInput,
) {
  const now = ctx.clock.now();
  const companyFields = [input.companyName, input.websiteUrl, input.phone].some((v) => v !== undefined);
  if (companyFields && auth.user.role !== "owner") {
    throw new AppError("FORBIDDEN", "Only the account owner can change the company details.");
  }
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ name: input.name, updatedAt: now }).where(eq(users.id, auth.user.id));
    if (companyFields) {
      await tx
        .update(accounts)
        .set({
          companyName: input.companyName,
          websiteUrl: input.websiteUrl,
          phone: input.phone,
          updatedAt: now,
        })
        .where(eq(accounts.id, auth.account.id));
    }
  });
  // The widget's header names the business: its buttons' kept configs must not keep the old name.
  if (input.companyName !== undefined && input.companyName !== auth.account.companyName) {
    await forgetButtons(ctx, auth.account.id);
  }
  return { ok: true as const };
}

/**
 * The account's timezone (owners and admins): the portal's dates, the CSV export, the emails, and
 * the members' own hours follow it. The tier checks the role; `timezone` is already canonical.
 */
export async function updateAccountTimezone(
  ctx: Pick<Ports, "db" | "clock">,
  auth: Pick<SessionAuth, "account">,
  timezone: string,
) {
  await ctx.db
    .update(accounts)
    .set({ timezone, updatedAt: ctx.clock.now() })
    .where(eq(accounts.id, auth.account.id));
  return { ok: true as const };
}

export async function listSessions(ctx: Pick<Ports, "db">, auth: SessionAuth) {
  const rows = await ctx.db
    .select({
      id: authSessions.id,
      createdAt: authSessions.createdAt,
      lastUsedAt: authSessions.lastVerifiedAt,
      ip: authSessions.ip,
      userAgent: authSessions.userAgent,
    })
    .from(authSessions)
    .where(eq(authSessions.userId, auth.user.id))
    .orderBy(desc(authSessions.lastVerifiedAt));
  return rows.map((row) => ({ ...row, current: row.id === auth.session.id }));
}

/** Revokes one of the caller's own sessions; another user's session id is simply not found. */
export async function revokeSession(ctx: Pick<Ports, "db">, auth: SessionAuth, sessionId: string) {
  const deleted = await ctx.db
    .delete(authSessions)
    .where(and(eq(authSessions.id, sessionId), eq(authSessions.userId, auth.user.id)))
    .returning({ id: authSessions.id });
  if (deleted.length === 0)
    throw new AppError("NOT_FOUND", "That session was not found. It may have ended already.");
  return { ok: true as const, current: sessionId === auth.session.id };
}
