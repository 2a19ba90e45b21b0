import {
  accounts,
  billingRecords,
  buttons,
  type Db,
  processedWebhookEvents,
  subscriptions,
  users,
} from "@cac/db";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import type Stripe from "stripe";
import type { Settings } from "../context";
import { type PlanId, planFor, plans } from "../domain/plans";
import { emails } from "../email/templates";
import type { MailMessage, PaidPlanId, Ports, StripeBilling } from "../ports";

/**
 * Stripe webhook events, applied to the account, its subscription row and its billing records.
 *
 * - Idempotent: the event id goes into processed_webhook_events in the same transaction as the
 *   change it causes, so a redelivery (or a concurrent duplicate) changes nothing.
 * - Order-safe: a subscription event older than the newest one applied (subscriptions.lastEventAt)
 *   is recorded as processed but changes nothing.
 * - accounts.plan (what the quotas read) follows the subscription: the paid plan while the
 *   subscription is active, trialing or past due (also when it cancels at period end), the Free
 *   plan once it has ended. A downgrade turns off the newest buttons over the new limit and tells
 *   the owner by email.
 */

export const HANDLED_STRIPE_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

/** Subscription statuses that keep the paid plan (past due: while Stripe retries the payment). */
export const ENTITLED_STATUSES: ReadonlySet<string> = new Set(["active", "trialing", "past_due"]);

export type WebhookOutcome =
  | { result: "processed"; eventType: string }
  | { result: "duplicate"; eventType: string }
  /** Older than the subscription state already applied: recorded, nothing changed. */
  | { result: "stale"; eventType: string }
  /** Not an event this product handles. */
  | { result: "ignored"; eventType: string }
  /** No account of ours matches: nothing recorded, so a redelivery after a fix can still apply. */
  | { result: "unmatched"; eventType: string };

export type WebhookDeps = Pick<Ports, "db" | "mailer" | "log" | "clock"> & {
  billing: StripeBilling;
  settings: Pick<Settings, "publicUrl">;
};

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class Unmatched extends Error {}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === "string" ? value : value.id;
}

function fromUnix(seconds: number | null | undefined): Date | null {
  return typeof seconds === "number" ? new Date(seconds * 1000) : null;
}

function isPaidPlan(value: unknown): value is PaidPlanId {
  return value === "starter" || value === "pro";
}

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

async function accountExists(
  db: Pick<Ports, "db">["db"],
  id: string | null | undefined,
): Promise<string | null> {
  if (!id || !UUID.test(id)) return null;
  const [row] = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, id));
  return row?.id ?? null;
}

async function accountBySubscription(db: Db, subscriptionId: string | null): Promise<string | null> {
  if (!subscriptionId) return null;
  const [row] = await db
    .select({ accountId: subscriptions.accountId })
    .from(subscriptions)
    .where(eq(subscriptions.stripeSubscriptionId, subscriptionId));
  return row?.accountId ?? null;
}

async function accountByCustomer(db: Db, customerId: string | null): Promise<string | null> {
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

async function ownerEmails(tx: Tx, accountId: string): Promise<string[]> {
  const rows = await tx
    .select({ email: users.email })
    .from(users)
    .where(and(eq(users.accountId, accountId), eq(users.role, "owner")));
  return rows.map((row) => row.email);
}

function billingUrl(deps: WebhookDeps): string {
  return new URL("/billing", deps.settings.publicUrl).toString();
}

function formatMoney(amountCents: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(
      amountCents / 100,
    );
  } catch {
    return `${(amountCents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** A day as the account reads it: in the account's timezone. */
function formatDate(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone }).format(date);
}

/** Locks the account row so events for one account apply one at a time; Unmatched when it is gone. */
async function lockAccount(tx: Tx, accountId: string) {
  const [account] = await tx.select().from(accounts).where(eq(accounts.id, accountId)).for("update");
  if (!account) throw new Unmatched();
  return account;
}

/**
 * Sets the plan whose limits apply. Going down, the newest enabled buttons over the new limit are
 * turned off (never deleted) with the reason, and the owner is told by email.
 */
export async function applyAccountPlan(
  tx: Tx,
  deps: WebhookDeps,
  accountId: string,
  planId: PlanId,
  reason: { subscriptionEnded: boolean },
  mails: MailMessage[],
): Promise<void> {
  const now = deps.clock.now();
  const [account] = await tx.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, accountId));
  if (!account) return;
  const from = planFor(account.plan);
  const to = plans[planId];
  if (account.plan !== planId) {
    await tx.update(accounts).set({ plan: planId, updatedAt: now }).where(eq(accounts.id, accountId));
  }

  const enabled = await tx
    .select({ id: buttons.id, name: buttons.name })
    .from(buttons)
    .where(and(eq(buttons.accountId, accountId), eq(buttons.enabled, true)))
    .orderBy(desc(buttons.createdAt), desc(buttons.id));
  const over = enabled.slice(0, Math.max(0, enabled.length - to.buttonsAllowed));
  for (const button of over) {
    await tx
      .update(buttons)
      .set({
        enabled: false,
        disabledReason: `Turned off automatically: the ${to.name} plan allows ${to.buttonsAllowed} active button${to.buttonsAllowed === 1 ? "" : "s"}.`,
        updatedAt: now,
      })
      .where(eq(buttons.id, button.id));
  }

  const downgraded = to.monthlyPriceCents < from.monthlyPriceCents;
  if (downgraded || over.length > 0) {
    deps.log.info({ accountId, from: from.id, to: to.id, disabledButtons: over.length }, "plan downgraded");
    for (const to_ of await ownerEmails(tx, accountId)) {
      mails.push(
        emails.planDowngraded(
          to_,
          {
            fromPlan: from.name,
            toPlan: to.name,
            subscriptionEnded: reason.subscriptionEnded,
            buttonsAllowed: to.buttonsAllowed,
            disabledButtons: over.map((b) => b.name),
          },
          billingUrl(deps),
        ),
      );
    }
  }
}

async function onCheckoutCompleted(tx: Tx, deps: WebhookDeps, session: Stripe.Checkout.Session) {
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

async function onSubscriptionEvent(
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

/** The account an invoice belongs to: the subscription's metadata, else the known subscription or customer. */
async function invoiceAccount(db: Db, invoice: Stripe.Invoice): Promise<string | null> {
  const details = invoice.parent?.subscription_details;
  // Older API versions: invoice.subscription and invoice.subscription_details.
  const legacy = invoice as unknown as {
    subscription?: string | { id: string } | null;
    subscription_details?: { metadata?: Record<string, string> | null } | null;
  };
  const subscriptionId = idOf(details?.subscription) ?? idOf(legacy.subscription);
  return (
    (await accountExists(db, details?.metadata?.accountId)) ??
    (await accountExists(db, legacy.subscription_details?.metadata?.accountId)) ??
    (await accountBySubscription(db, subscriptionId)) ??
    (await accountByCustomer(db, idOf(invoice.customer)))
  );
}

async function onInvoiceEvent(
  tx: Tx,
  deps: WebhookDeps,
  accountId: string,
  event: Stripe.InvoicePaidEvent | Stripe.InvoicePaymentFailedEvent,
  mails: MailMessage[],
) {
  await lockAccount(tx, accountId);
  const invoice = event.data.object;
  if (!invoice.id) return;
  const paid = event.type === "invoice.paid";
  const amountCents = paid ? invoice.amount_paid : invoice.amount_due;
  const occurredAt =
    (paid ? fromUnix(invoice.status_transitions?.paid_at) : null) ?? new Date(event.created * 1000);
  const values = {
    accountId,
    stripeInvoiceId: invoice.id,
    amountCents,
    currency: invoice.currency,
    status: paid ? "paid" : "failed",
    description: invoice.lines?.data?.[0]?.description ?? invoice.description ?? null,
    invoiceUrl: invoice.hosted_invoice_url ?? null,
    occurredAt,
  };
  // One record per invoice. Paid is final: a failed attempt delivered late never overwrites it.
  const written = await tx
    .insert(billingRecords)
    .values(values)
    .onConflictDoUpdate({
      target: billingRecords.stripeInvoiceId,
      set: values,
      setWhere: ne(billingRecords.status, "paid"),
    })
    .returning({ id: billingRecords.id });

  // No mail about a failure of an invoice that has been paid since.
  if (!paid && written.length > 0) {
    const [sub] = await tx
      .select({ plan: subscriptions.plan })
      .from(subscriptions)
      .where(eq(subscriptions.accountId, accountId));
    const [account] = await tx
      .select({ plan: accounts.plan, timezone: accounts.timezone })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    const planName = planFor(sub?.plan ?? account?.plan ?? "free").name;
    const nextAttempt = fromUnix(invoice.next_payment_attempt);
    for (const to of await ownerEmails(tx, accountId)) {
      mails.push(
        emails.paymentFailed(
          to,
          {
            planName,
            amount: formatMoney(amountCents, invoice.currency),
            nextAttempt: nextAttempt ? formatDate(nextAttempt, account?.timezone ?? "UTC") : null,
            invoiceUrl: invoice.hosted_invoice_url ?? null,
          },
          billingUrl(deps),
        ),
      );
    }
  }
}

/** Applies one verified Stripe event. Emails go out after the transaction commits. */
export async function handleStripeEvent(deps: WebhookDeps, event: Stripe.Event): Promise<WebhookOutcome> {
  const eventType = event.type;
  const log = deps.log;
  if (!(HANDLED_STRIPE_EVENTS as readonly string[]).includes(eventType)) {
    log.info({ stripeEvent: event.id, type: eventType }, "stripe event not handled; acknowledged");
    return { result: "ignored", eventType };
  }
  const mails: MailMessage[] = [];
  let result: WebhookOutcome["result"];
  try {
    result = await deps.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(processedWebhookEvents)
        .values({ id: event.id, provider: "stripe", type: eventType })
        .onConflictDoNothing()
        .returning({ id: processedWebhookEvents.id });
      if (inserted.length === 0) return "duplicate" as const;

      switch (event.type) {
        case "checkout.session.completed":
          if (event.data.object.mode !== "subscription") return "processed" as const;
          await onCheckoutCompleted(tx, deps, event.data.object);
          return "processed" as const;
        case "customer.subscription.created":
        case "customer.subscription.updated":
        case "customer.subscription.deleted": {
          const subscription = event.data.object;
          const accountId =
            (await accountExists(tx, subscription.metadata?.accountId)) ??
            (await accountBySubscription(tx, subscription.id)) ??
            (await accountByCustomer(tx, idOf(subscription.customer)));
          if (!accountId) throw new Unmatched();
          return await onSubscriptionEvent(tx, deps, accountId, event, mails);
        }
        case "invoice.paid":
        case "invoice.payment_failed": {
          const accountId = await invoiceAccount(tx, event.data.object);
          if (!accountId) throw new Unmatched();
          await onInvoiceEvent(tx, deps, accountId, event, mails);
          return "processed" as const;
        }
        default:
          return "processed" as const;
      }
    });
  } catch (error) {
    if (!(error instanceof Unmatched)) throw error;
    log.warn(
      { stripeEvent: event.id, type: eventType },
      "stripe event matches no account; acknowledged, nothing written",
    );
    return { result: "unmatched", eventType };
  }

  if (result === "duplicate") {
    log.info({ stripeEvent: event.id, type: eventType }, "stripe event already processed");
  } else if (result === "stale") {
    log.info(
      { stripeEvent: event.id, type: eventType },
      "stripe event older than the applied state; nothing changed",
    );
  }
  for (const mail of mails) await deps.mailer.send(mail);
  return { result, eventType };
}
