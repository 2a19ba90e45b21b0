import { accounts, type Db, subscriptions } from "@cac/db";
import { eq } from "drizzle-orm";
import type { Ports } from "../../ports";
import { accountOwners } from "../owners";
import type { Tx } from "../rows";
import { Unmatched } from "./events";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function accountExists(
  db: Pick<Ports, "db">["db"],
  id: string | null | undefined,
): Promise<string | null> {
  if (!id || !UUID.test(id)) return null;
  const [row] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, id));
  return row?.id ?? null;
}

export async function accountBySubscription(db: Db, subscriptionId: string | null): Promise<string | null> {
  if (!subscriptionId) return null;
  const [row] = await db
    .select({ accountId: subscriptions.accountId })
    .from(subscriptions)
    .where(eq(subscriptions.stripeSubscriptionId, subscriptionId));
  return row?.accountId ?? null;
}

export async function accountByCustomer(db: Db, customerId: string | null): Promise<string | null> {
  if (!customerId) return null;
  const [account] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.stripeCustomerId, customerId));
  if (account) return account.id;
  const [sub] = await db
    .select({ accountId: subscriptions.accountId })
    .from(subscriptions)
    .where(eq(subscriptions.stripeCustomerId, customerId));
  return sub?.accountId ?? null;
}

export async function ownerEmails(tx: Tx, accountId: string): Promise<string[]> {
  const rows = await accountOwners(tx, accountId);
  return rows.map((row) => row.email);
}

/** Locks the account row so events for one account apply one at a time; Unmatched when it is gone. */
export async function lockAccount(tx: Tx, accountId: string) {
  const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId)).for("update");
  if (!account) throw new Unmatched();
  return account;
}
