import { memberships, users } from "@cac/db";
import { and, asc, eq } from "drizzle-orm";
import type { Ports } from "../ports";

/** The members of an account as work items see them (the assignee picker, "answered by"). */
export type MemberName = { id: string; name: string; role: string };

/** Every member of the account by name: lighter than the Team page's list (no presence). */
export async function memberNames(deps: Pick<Ports, "db">, accountId: string): Promise<MemberName[]> {
  return deps.db
    .select({ id: memberships.userId, name: users.name, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, accountId))
    .orderBy(asc(users.name), asc(memberships.userId));
}

export async function isMember(deps: Pick<Ports, "db">, accountId: string, userId: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.accountId, accountId)));
  return row !== undefined;
}

/** Who acts on a work item: the session's user, in the session's (active) account, with its role there. */
export type WorkActor = { accountId: string; userId: string; role: string };

/** Owners and admins manage every work item of the account; agents their own calls. */
export function managesWork(role: string): boolean {
  return role === "owner" || role === "admin";
}
