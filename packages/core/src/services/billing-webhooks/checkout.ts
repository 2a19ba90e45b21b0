import { accounts, subscriptions } from "@cac/db";
import { eq } from "drizzle-orm";
import type Stripe from "stripe";
import type { Tx } from "../rows";
import { accountExists, lockAccount } from "./accounts";
import { Unmatched, type WebhookDeps } from "./events";
import { idOf, isPaidPlan } from "./values";

/** checkout.session.completed: links the Stripe customer and subscription to the account. */
export async function onCheckoutCompleted(tx: Tx, deps: WebhookDeps, session: Stripe.Checkout.Session) {
  const accountId =
    (await accountExists(tx, session.client_reference_id)) ??
    (await accountExists(tx, session.metadata?.accountId));
  if (!accountId) throw new Unmatched();
  await lockAccount(tx, accountId);
  const customerId = idOf(session.customer);
  const subscriptionId = idOf(session.subscription);
  const now = deps.clock.now();
  if (customerId) {
    await tx
      .update(accounts)
      .set({ stripeCustomerId: customerId, updatedAt: now })
      .where(eq(accounts.id, accountId));
  }
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.accountId, accountId));
  if (!row) {
    // The subscription's own events set its plan, status and period; until then it is incomplete.
    await tx.insert(subscriptions).values({
      accountId,
      stripeSubscriptionId: subscriptionId,
      stripeCustomerId: customerId,
      plan: isPaidPlan(session.metadata?.plan) ? session.metadata.plan : "free",
      status: "incomplete",
      updatedAt: now,
    });
  } else if (!row.stripeSubscriptionId || row.stripeSubscriptionId === subscriptionId) {
    await tx
      .update(subscriptions)
      .set({
        stripeSubscriptionId: subscriptionId ?? row.stripeSubscriptionId,
        stripeCustomerId: customerId ?? row.stripeCustomerId,
        updatedAt: now,
      })
      .where(eq(subscriptions.id, row.id));
  } else if (customerId && !row.stripeCustomerId) {
    await tx
      .update(subscriptions)
      .set({ stripeCustomerId: customerId, updatedAt: now })
      .where(eq(subscriptions.id, row.id));
  }
}
