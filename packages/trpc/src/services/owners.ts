import { users } from "@cac/db";
import { and, eq, isNotNull } from "drizzle-orm";
import type { Ports } from "../ports";

/**
 * The account's owners whose email address is confirmed: who gets notifications carrying
 * visitors' details (callback requests, missed calls). An address nobody confirmed may be a typo
 * for someone else's inbox.
 */
export function confirmedOwners(deps: Pick<Ports, "db">, accountId: string) {
  return deps.db
    .select({ email: users.email, name: users.name })
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.role, "owner"), isNotNull(users.emailVerifiedAt)));
}
