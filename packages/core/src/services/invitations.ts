import { accounts, authSessions, invitations, type MemberRole, memberships, users } from "@cac/db";
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Context } from "../context";
import { ipKey } from "../domain/ip";
import { emails } from "../email/templates";
import { AppError } from "../errors";
import { hashPassword, verifyPassword } from "./auth";
import { isUniqueViolation } from "./db-errors";
import { type PlanTx, withinPlanLimits } from "./plan-limits";
import { returned } from "./rows";
import { newOpaqueToken, type SessionAuth, sha256, startSession } from "./sessions";
import { throttle } from "./throttle";

/** An invitation link works once, for this long; resending issues a new link for as long again. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const INVALID_LINK =
  "This invitation link is invalid, was already used, revoked or has expired. Ask for a new one.";

export type PendingInvitation = {
  id: string;
  email: string;
  role: MemberRole;
  expiresAt: Date;
  expired: boolean;
  createdAt: Date;
};

function acceptUrl(ctx: Pick<Context, "settings">, token: string) {
  const url = new URL("/invitation", ctx.settings.publicUrl);
  // In the fragment: it never reaches a server log or a Referer header.
  url.hash = `token=${token}`;
  return url.toString();
}

async function sendInvitation(
  ctx: Context,
  auth: SessionAuth,
  invitation: { email: string; role: MemberRole },
  token: string,
) {
  await ctx.mailer.send(
    emails.invitation(
      invitation.email,
      auth.user.name,
      auth.account.companyName,
      invitation.role,
      acceptUrl(ctx, token),
    ),
  );
}

/** Only owners make owners; admins invite admins and agents (the tier lets owners and admins in). */
function assertMayInvite(auth: SessionAuth, role: MemberRole) {
  if (role === "owner" && auth.user.role !== "owner") {
    throw new AppError("FORBIDDEN", "Only an owner can invite another owner.", {
      fieldErrors: { role: ["Only an owner can invite another owner."] },
    });
  }
}

/**
 * Invites an address to the account. The seat is counted now (members plus open invitations), so
 * the inviter hears at once when the plan is full; inviting an address with an open invitation
 * replaces it (a new link; the old one stops working).
 */
export async function inviteMember(
  ctx: Context,
  auth: SessionAuth,
  input: { email: string; role: MemberRole },
) {
  assertMayInvite(auth, input.role);
  const accountId = auth.account.id;
  const email = input.email.toLowerCase();
  await throttle(ctx, "invitation.account", accountId);
  const { token, hash } = newOpaqueToken();
  const now = ctx.clock.now();
  const invitation = await withinPlanLimits(ctx, accountId, async ({ tx, claim }) => {
    const [member] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.accountId, accountId), eq(sql`lower(${users.email})`, email)));
    if (member) {
      throw new AppError("CONFLICT", "This person is already a member of the account.", {
        fieldErrors: { email: ["This person is already a member of the account."] },
      });
    }
    // An open invitation to the same address is replaced: revoked, and its seat reused.
    const [open] = await tx
      .update(invitations)
      .set({ revokedAt: now })
      .where(
        and(
          eq(invitations.accountId, accountId),
          eq(invitations.email, email),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      )
      .returning({ id: invitations.id });
    await claim("seatsWithInvitations", open?.id);
    const rows = await tx
      .insert(invitations)
      .values({
        accountId,
        email,
        role: input.role,
        tokenHash: hash,
        invitedBy: auth.user.id,
        expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
        createdAt: now,
      })
      .returning();
    return returned(rows, "invitation");
  });
  await sendInvitation(ctx, auth, invitation, token);
  ctx.log.info({ accountId, invitationId: invitation.id, by: auth.user.id }, "invitation sent");
  return toPending(invitation, now);
}

function toPending(
  row: { id: string; email: string; role: MemberRole; expiresAt: Date; createdAt: Date },
  now: Date,
): PendingInvitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt,
    expired: row.expiresAt.getTime() <= now.getTime(),
    createdAt: row.createdAt,
  };
}

/** The account's invitations not yet accepted nor revoked (expired ones too: they can be resent). */
export async function listInvitations(deps: Pick<Context, "db" | "clock">, accountId: string) {
  const rows = await deps.db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.accountId, accountId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .orderBy(asc(invitations.createdAt));
  const now = deps.clock.now();
  return rows.map((row) => toPending(row, now));
}

async function openInvitation(deps: Pick<Context, "db">, accountId: string, invitationId: string) {
  const [row] = await deps.db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.id, invitationId),
        eq(invitations.accountId, accountId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    );
  if (!row)
    throw new AppError("NOT_FOUND", "This invitation does not exist or was already accepted or revoked.");
  return row;
}

/** Sends the invitation again with a new link, valid 7 days from now; the previous link stops working. */
export async function resendInvitation(ctx: Context, auth: SessionAuth, invitationId: string) {
  const row = await openInvitation(ctx, auth.account.id, invitationId);
  assertMayInvite(auth, row.role);
  await throttle(ctx, "invitation.account", auth.account.id);
  const { token, hash } = newOpaqueToken();
  const now = ctx.clock.now();
  const [updated] = await ctx.db
    .update(invitations)
    .set({ tokenHash: hash, expiresAt: new Date(now.getTime() + INVITATION_TTL_MS) })
    .where(and(eq(invitations.id, row.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .returning();
  if (!updated) throw new AppError("NOT_FOUND", "This invitation was accepted or revoked meanwhile.");
  await sendInvitation(ctx, auth, updated, token);
  return toPending(updated, now);
}

/** Revokes an invitation: its link stops working and its seat is free. */
export async function revokeInvitation(ctx: Context, auth: SessionAuth, invitationId: string) {
  const row = await openInvitation(ctx, auth.account.id, invitationId);
  assertMayInvite(auth, row.role);
  await ctx.db
    .update(invitations)
    .set({ revokedAt: ctx.clock.now() })
    .where(and(eq(invitations.id, row.id), isNull(invitations.acceptedAt)));
  return { ok: true as const };
}

/** The open, unexpired invitation a link names, or INVALID_TOKEN. */
async function invitationByToken(ctx: Pick<Context, "db" | "clock">, token: string) {
  const [row] = await ctx.db
    .select({ invitation: invitations, companyName: accounts.companyName, accountStatus: accounts.status })
    .from(invitations)
    .innerJoin(accounts, eq(accounts.id, invitations.accountId))
    .where(
      and(
        eq(invitations.tokenHash, sha256(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, ctx.clock.now()),
      ),
    );
  if (row?.accountStatus !== "active") throw new AppError("INVALID_TOKEN", INVALID_LINK);
  return row;
}

/**
 * What the accept page shows: the account, the address and the role, and whether that address
 * already has a login (then the invitee logs in to accept, rather than creating one).
 */
export async function previewInvitation(ctx: Context, token: string) {
  await throttle(ctx, "invitation.ip", ipKey(ctx.http.ip));
  const { invitation, companyName } = await invitationByToken(ctx, token);
  const [existing] = await ctx.db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.email})`, invitation.email));
  return { companyName, email: invitation.email, role: invitation.role, hasLogin: existing !== undefined };
}

/**
 * Joins the account in one transaction: the invitation is marked accepted only if it is still
 * open (a link works once, whoever clicks twice), and the seat is checked under the account lock
 * (withinPlanLimits), so concurrent acceptances never go past the plan.
 */
async function join(ctx: Context, token: string, person: (tx: PlanTx, email: string) => Promise<string>) {
  const { invitation } = await invitationByToken(ctx, token);
  const now = ctx.clock.now();
  return withinPlanLimits(ctx, invitation.accountId, async ({ tx, claim }) => {
    const [taken] = await tx
      .update(invitations)
      .set({ acceptedAt: now })
      .where(
        and(
          eq(invitations.id, invitation.id),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
          gt(invitations.expiresAt, now),
        ),
      )
      .returning({ id: invitations.id });
    if (!taken) throw new AppError("INVALID_TOKEN", INVALID_LINK);
    await claim("seats");
    const userId = await person(tx, invitation.email);
    const inserted = await tx
      .insert(memberships)
      .values({
        accountId: invitation.accountId,
        userId,
        role: invitation.role,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning({ userId: memberships.userId });
    if (inserted.length === 0) {
      throw new AppError("CONFLICT", "You are already a member of this account. Log in to use it.");
    }
    return { accountId: invitation.accountId, userId };
  });
}

/**
 * Accepts with a new login: name, password and the 18+ confirmation. The invitation reached this
 * mailbox, so the email counts as confirmed. Logs the new member in, in the account.
 */
export async function acceptInvitationNewLogin(
  ctx: Context,
  input: { token: string; name: string; password: string; ageConfirmed: true },
) {
  await throttle(ctx, "invitation.ip", ipKey(ctx.http.ip));
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  const joined = await join(ctx, input.token, async (tx, email) => {
    const rows = await tx
      .insert(users)
      .values({ email, name: input.name, passwordHash, emailVerifiedAt: now, ageConfirmedAt: now })
      .returning({ id: users.id })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw new AppError(
            "CONFLICT",
            "This email already has a login. Log in, then open the link again to accept.",
          );
        }
        throw error;
      });
    return returned(rows, "user").id;
  });
  await startSession(ctx, joined.userId, joined.accountId);
  ctx.log.info({ accountId: joined.accountId, userId: joined.userId }, "invitation accepted (new login)");
  return { ok: true as const };
}

/**
 * Accepts with the login of the session: the invitation's address must be the login's. The session
 * then works in the account it joined.
 */
export async function acceptInvitationSignedIn(ctx: Context, auth: SessionAuth, token: string) {
  await throttle(ctx, "invitation.ip", ipKey(ctx.http.ip));
  const joined = await join(ctx, token, async (_tx, email) => {
    if (email !== auth.user.email.toLowerCase()) {
      throw new AppError(
        "FORBIDDEN",
        `This invitation is for ${email}. Log in with that address to accept it.`,
      );
    }
    return auth.user.id;
  });
  await ctx.db
    .update(authSessions)
    .set({ activeAccountId: joined.accountId })
    .where(eq(authSessions.id, auth.session.id));
  ctx.log.info(
    { accountId: joined.accountId, userId: joined.userId },
    "invitation accepted (existing login)",
  );
  return { ok: true as const };
}

const WRONG_PASSWORD = "The password is incorrect for this address.";

/**
 * Accepts with the existing login of the invitation's address, by its password: for someone not
 * logged in (or who belongs to no account any more, and so cannot log in). Limited per IP and per
 * address as logins are; logs the member in, in the account they joined.
 */
export async function acceptInvitationWithPassword(ctx: Context, input: { token: string; password: string }) {
  await throttle(ctx, "invitation.ip", ipKey(ctx.http.ip));
  const { invitation } = await invitationByToken(ctx, input.token);
  await throttle(ctx, "login.ip_email", `${ipKey(ctx.http.ip)} ${invitation.email}`);
  const [user] = await ctx.db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(sql`lower(${users.email})`, invitation.email));
  if (!user || !(await verifyPassword(user.passwordHash, input.password))) {
    throw new AppError("UNAUTHENTICATED", WRONG_PASSWORD, { fieldErrors: { password: [WRONG_PASSWORD] } });
  }
  const joined = await join(ctx, input.token, async () => user.id);
  await startSession(ctx, joined.userId, joined.accountId);
  ctx.log.info({ accountId: joined.accountId, userId: joined.userId }, "invitation accepted (password)");
  return { ok: true as const };
}
