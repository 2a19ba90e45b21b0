import { users } from "@cac/db";
import { and, asc, eq } from "drizzle-orm";
import type { Ports } from "../ports";

/**
 * The members of an account as work items see them (the assignee picker, "answered by"). Read
 * from `users` for now; when membership gets its own table, these two functions are re-pointed
 * and nothing that calls them changes.
 */
export type Member = { id: string; name: string; role: string };

export async function listMembers(deps: Pick<Ports, "db">, accountId: string): Promise<Member[]> {
  return deps.db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(eq(users.accountId, accountId))
    .orderBy(asc(users.name), asc(users.id));
}

export async function isMember(deps: Pick<Ports, "db">, accountId: string, userId: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.accountId, accountId)));
  return row !== undefined;
}

/** Who acts on a work item: the session's user, in the session's (active) account, with its role there. */
export type WorkActor = { accountId: string; userId: string; role: string };

/** Owners and admins manage every work item of the account; agents their own calls. */
export function managesWork(role: string): boolean {
  return role === "owner" || role === "admin";
}
