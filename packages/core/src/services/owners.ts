import { memberships, users } from "@cac/db";
import { and, eq, isNotNull, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { Ports } from "../ports";

/**
 * Whether the account has an owner whose email address is confirmed. Until one has, anyone could
 * have signed up with someone else's address, so the account's buttons stay in test mode: they
 * work from the portal's own pages, never on a customer's site.
 */
export function hasConfirmedOwner(accountId: SQLWrapper | string): SQL<boolean> {
  return sql<boolean>`exists (select 1 from ${memberships} join ${users} on ${users.id} = ${memberships.userId} where ${memberships.accountId} = ${accountId} and ${memberships.role} = 'owner' and ${users.emailVerifiedAt} is not null)`;
}

export async function isAccountVerified(deps: Pick<Ports, "db">, accountId: string): Promise<boolean> {
  return (await confirmedOwners(deps, accountId).limit(1)).length > 0;
}

/**
 * The account's owners whose email address is confirmed: who gets notifications carrying
 * visitors' details (callback requests, missed calls). An address nobody confirmed may be a typo
 * for someone else's inbox. `only`: a further condition on the membership (a preference).
 */
export function confirmedOwners(deps: Pick<Ports, "db">, accountId: string, only?: SQL) {
  return deps.db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.accountId, accountId),
        eq(memberships.role, "owner"),
        isNotNull(users.emailVerifiedAt),
        only,
      ),
    );
}

/** The account's owners (confirmed or not), e.g. for notices about the account itself. */
export function accountOwners(db: Pick<Ports, "db">["db"], accountId: string) {
  return db
    .select({ email: users.email, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "owner")));
}
