import {
  accounts,
  authSessions,
  buttonRoutingMembers,
  callbackRequests,
  type MemberRole,
  memberHours,
  memberships,
  users,
} from "@cac/db";
import { and, asc, count, eq } from "drizzle-orm";
import type { Context } from "../context";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { reachableMembers } from "./calls/presence";
import type { PlanTx } from "./plan-limits";
import { announceRemoval } from "./presence-notices";
import type { SessionAuth } from "./sessions";

/**
 * The team of an account: who belongs to it and as what. Roles (DESIGN.md, Roles): owners do
 * everything; admins everything but billing, closure, data export and making owners; agents
 * answer calls and handle callbacks.
 */

/** Where every instance hears that a member was removed: it ends that member's live streams there. */
export const MEMBER_REMOVALS_CHANNEL = "team:removals";
export type MemberRemoval = { accountId: string; userId: string };

export type TeamMember = {
  userId: string;
  name: string;
  email: string;
  role: MemberRole;
  /** Set themselves available to take calls. */
  available: boolean;
  /** Available and with a phone panel open now (presence). */
  reachable: boolean;
  joinedAt: Date;
};

/** The account's members, owners first, each with whether they can take a call now. */
export async function listMembers(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
): Promise<TeamMember[]> {
  const rows = await deps.db
    .select({
      userId: memberships.userId,
      name: users.name,
      email: users.email,
      role: memberships.role,
      available: memberships.available,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, accountId))
    .orderBy(asc(memberships.createdAt), asc(users.email));
  const reachable = new Set(
    (await reachableMembers(deps, accountId, deps.clock.now())).map((agent) => agent.id),
  );
  const rank: Record<MemberRole, number> = { owner: 0, admin: 1, agent: 2 };
  return rows
    .map((row) => ({ ...row, reachable: reachable.has(row.userId) }))
    .sort((a, b) => rank[a.role] - rank[b.role]);
}

/** The accounts this person belongs to, for the portal's account switcher. */
export async function myAccounts(deps: Pick<Ports, "db">, userId: string) {
  return deps.db
    .select({ accountId: accounts.id, companyName: accounts.companyName, role: memberships.role })
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.accountId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(accounts.companyName), asc(accounts.id));
}

/** Makes another account of the person's the session's active one. */
export async function switchAccount(deps: Pick<Ports, "db">, auth: SessionAuth, accountId: string) {
  const [member] = await deps.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, auth.user.id)));
  if (!member) throw new AppError("NOT_FOUND", "You are not a member of this account.");
  await deps.db
    .update(authSessions)
    .set({ activeAccountId: accountId })
    .where(eq(authSessions.id, auth.session.id));
  return { ok: true as const };
}

/**
 * Runs `change` with the account's row locked: every change of who is an owner (and every seat
 * claim, withinPlanLimits) queues on it, so two owners demoting each other at once leave one.
 */
async function withTeamLock<T>(
  deps: Pick<Ports, "db">,
  accountId: string,
  change: (tx: PlanTx) => Promise<T>,
) {
  return deps.db.transaction(async (tx) => {
    const [account] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for("no key update");
    if (!account) throw new AppError("NOT_FOUND", "This account no longer exists.");
    return change(tx);
  });
}

async function memberRole(tx: PlanTx, accountId: string, userId: string): Promise<MemberRole> {
  const [row] = await tx
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, userId)));
  if (!row) throw new AppError("NOT_FOUND", "This person is not a member of this account.");
  return row.role;
}

async function ownerCount(tx: PlanTx, accountId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "owner")));
  return row?.n ?? 0;
}

const LAST_OWNER = "An account needs at least one owner. Make someone else an owner first.";

/** Who may give which role: admins move people between admin and agent; only owners touch owners. */
function assertMayChange(actor: MemberRole, from: MemberRole, to: MemberRole) {
  if (actor === "owner") return;
  if (actor === "admin" && from !== "owner" && to !== "owner") return;
  throw new AppError(
    "FORBIDDEN",
    to === "owner" || from === "owner"
      ? "Only an owner can make someone an owner or change an owner's role."
      : "Only owners and admins can change roles.",
  );
}

/** Changes a member's role. The last owner is never demoted. */
export async function changeMemberRole(
  deps: Pick<Ports, "db" | "clock">,
  auth: SessionAuth,
  input: { userId: string; role: MemberRole },
) {
  const accountId = auth.account.id;
  return withTeamLock(deps, accountId, async (tx) => {
    const from = await memberRole(tx, accountId, input.userId);
    assertMayChange(auth.user.role, from, input.role);
    if (from === input.role) return { ok: true as const };
    if (from === "owner" && (await ownerCount(tx, accountId)) <= 1) {
      throw new AppError("CONFLICT", LAST_OWNER);
    }
    await tx
      .update(memberships)
      .set({ role: input.role, updatedAt: deps.clock.now() })
      .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, input.userId)));
    return { ok: true as const };
  });
}

/**
 * Deletes a membership and what hangs on it in that account: the person's place in the buttons'
 * routing, their own working hours, and their open callback requests (back to new, unassigned, so
 * the team sees them again). Their answered calls and notes keep naming them.
 */
async function dropMembership(tx: PlanTx, accountId: string, userId: string) {
  await tx
    .delete(buttonRoutingMembers)
    .where(and(eq(buttonRoutingMembers.accountId, accountId), eq(buttonRoutingMembers.userId, userId)));
  await tx
    .delete(memberHours)
    .where(and(eq(memberHours.accountId, accountId), eq(memberHours.userId, userId)));
  await tx
    .update(callbackRequests)
    .set({ assigneeId: null, status: "new" })
    .where(
      and(
        eq(callbackRequests.accountId, accountId),
        eq(callbackRequests.assigneeId, userId),
        eq(callbackRequests.status, "assigned"),
      ),
    );
  await tx
    .delete(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, userId)));
}

/**
 * Ends a membership: its row, the person's sessions working in this account (their sessions in
 * other accounts stay), and, on every instance, their open phone panels of this account.
 */
async function endMembership(ctx: Pick<Context, "db" | "pubsub" | "log">, accountId: string, userId: string) {
  await ctx.db
    .delete(authSessions)
    .where(and(eq(authSessions.userId, userId), eq(authSessions.activeAccountId, accountId)));
  const removal: MemberRemoval = { accountId, userId };
  // The sessions are gone whatever happens next: a panel's stream that misses this ends at its
  // next reconnect, which the deleted session refuses.
  await ctx.pubsub
    .publish(MEMBER_REMOVALS_CHANNEL, removal)
    .catch((error: unknown) => ctx.log.warn({ err: error, accountId }, "member removal not broadcast"));
  // The team's presence readers drop them from who is reachable.
  await announceRemoval(ctx, accountId, userId);
}

/** Removes a member. Admins remove agents and admins; only owners remove owners; never the last owner. */
export async function removeMember(ctx: Context, auth: SessionAuth, userId: string) {
  const accountId = auth.account.id;
  await withTeamLock(ctx, accountId, async (tx) => {
    const role = await memberRole(tx, accountId, userId);
    if (role === "owner" && auth.user.role !== "owner") {
      throw new AppError("FORBIDDEN", "Only an owner can remove an owner.");
    }
    if (role === "owner" && (await ownerCount(tx, accountId)) <= 1)
      throw new AppError("CONFLICT", LAST_OWNER);
    await dropMembership(tx, accountId, userId);
  });
  await endMembership(ctx, accountId, userId);
  ctx.log.info({ accountId, userId, by: auth.user.id }, "member removed");
  return { ok: true as const };
}

/** The member leaves the account themselves (never its last owner). */
export async function leaveAccount(ctx: Context, auth: SessionAuth) {
  const accountId = auth.account.id;
  await withTeamLock(ctx, accountId, async (tx) => {
    const role = await memberRole(tx, accountId, auth.user.id);
    if (role === "owner" && (await ownerCount(tx, accountId)) <= 1)
      throw new AppError("CONFLICT", LAST_OWNER);
    await dropMembership(tx, accountId, auth.user.id);
  });
  await endMembership(ctx, accountId, auth.user.id);
  return { ok: true as const };
}
