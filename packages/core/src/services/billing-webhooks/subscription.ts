import { accounts, subscriptions } from "@cac/db";
import { and, eq, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { PlanId } from "../../domain/plans";
import type { MailMessage, StripeBilling } from "../../ports";
import type { Tx } from "../rows";
import { lockAccount } from "./accounts";
import { ENTITLED_STATUSES, type WebhookDeps } from "./events";
import { applyAccountPlan } from "./plan";
import { fromUnix, idOf } from "./values";

/** The subscription as this product keeps it, from any API version's shape. */
type SubscriptionSnapshot = {
  id: string;
  customerId: string | null;
  status: string;
  priceId: string | null;
  metadataAccountId: string | null;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
};

function readSubscription(subscription: Stripe.Subscription): SubscriptionSnapshot {
  const item = subscription.items?.data?.[0];
  // Before API version 2025-03-31 the current period was on the subscription; now it is on its items.
  const legacy = subscription as unknown as { current_period_start?: number; current_period_end?: number };
  return {
    id: subscription.id,
    customerId: idOf(subscription.customer),
    status: subscription.status,
    priceId: idOf(item?.price),
    metadataAccountId: subscription.metadata?.accountId ?? null,
    currentPeriodStart: fromUnix(legacy.current_period_start ?? item?.current_period_start),
    currentPeriodEnd: fromUnix(legacy.current_period_end ?? item?.current_period_end),
    // The Customer Portal may schedule the end with cancel_at rather than cancel_at_period_end.
    cancelAtPeriodEnd:
      subscription.cancel_at_period_end === true ||
      (subscription.cancel_at != null && subscription.status !== "canceled"),
  };
}

function planOfPrice(billing: StripeBilling, priceId: string | null): PlanId | null {
  for (const [plan, price] of Object.entries(billing.prices)) if (price === priceId) return plan as PlanId;
  return null;
}

/**
 * customer.subscription.*: the subscription row follows the newest event (older ones are stale),
 * and the account's plan follows the subscription.
 */
export async function onSubscriptionEvent(
  tx: Tx,
  deps: WebhookDeps,
  accountId: string,
  event:
    | Stripe.CustomerSubscriptionCreatedEvent
    | Stripe.CustomerSubscriptionUpdatedEvent
    | Stripe.CustomerSubscriptionDeletedEvent,
  mails: MailMessage[],
): Promise<"processed" | "stale"> {
  await lockAccount(tx, accountId);
  const snap = readSubscription(event.data.object);
  const eventAt = new Date(event.created * 1000);
  const now = deps.clock.now();
  const [row] = await tx.select().from(subscriptions).where(eq(subscriptions.accountId, accountId));

  if (row) {
    const sameSubscription = row.stripeSubscriptionId === snap.id;
    // An ended subscription must not replace a newer one that is running.
    if (
      !sameSubscription &&
      row.stripeSubscriptionId &&
      ENTITLED_STATUSES.has(row.status) &&
      !ENTITLED_STATUSES.has(snap.status)
    ) {
      return "stale";
    }
    if (row.lastEventAt && eventAt < row.lastEventAt) return "stale";
    // Stripe stamps events in whole seconds: `created` is the first event of a subscription, so one
    // of the same second that arrives after anything else about it is the older one.
    if (
      sameSubscription &&
      row.lastEventAt &&
      +eventAt === +row.lastEventAt &&
      event.type === "customer.subscription.created"
    ) {
      return "stale";
    }
  }

  let plan = planOfPrice(deps.billing, snap.priceId);
  if (!plan) {
    deps.log.error(
      { accountId, subscription: snap.id, price: snap.priceId },
      "stripe subscription has a price that is not STRIPE_PRICE_STARTER or STRIPE_PRICE_PRO; treating it as the Free plan",
    );
    plan = "free";
  }
  const values = {
    accountId,
    stripeSubscriptionId: snap.id,
    stripeCustomerId: snap.customerId,
    plan,
    status: snap.status,
    currentPeriodStart: snap.currentPeriodStart,
    currentPeriodEnd: snap.currentPeriodEnd,
    cancelAtPeriodEnd: snap.status === "canceled" ? false : snap.cancelAtPeriodEnd,
    lastEventAt: eventAt,
    updatedAt: now,
  };
  await tx
    .insert(subscriptions)
    .values(values)
    .onConflictDoUpdate({ target: subscriptions.accountId, set: values });
  if (snap.customerId) {
    await tx
      .update(accounts)
      .set({ stripeCustomerId: snap.customerId })
      .where(
        and(
          eq(accounts.id, accountId),
          sql`${accounts.stripeCustomerId} is distinct from ${snap.customerId}`,
        ),
      );
  }
  const entitled = ENTITLED_STATUSES.has(snap.status);
  // Unpaid or paused subscriptions lose the paid plan too, but have not ended.
  const ended = snap.status === "canceled" || snap.status === "incomplete_expired";
  await applyAccountPlan(tx, deps, accountId, entitled ? plan : "free", { subscriptionEnded: ended }, mails);
  return "processed";
}
