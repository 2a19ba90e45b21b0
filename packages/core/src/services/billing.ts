import { accounts, billingRecords, buttons, type MemberRole, subscriptions } from "@cac/db";
import { and, count, desc, eq } from "drizzle-orm";
import type { Settings } from "../context";
import { type Plan, type PlanId, planFor, plans } from "../domain/plans";
import { AppError } from "../errors";
import type { PaidPlanId, Ports, StripeBilling } from "../ports";
import { ENTITLED_STATUSES } from "./billing-webhooks/events";
import { getUsage } from "./usage";

type Deps = Pick<Ports, "db" | "clock" | "billing" | "log"> & { settings: Pick<Settings, "publicUrl"> };

export const BILLING_OFF_NOTE =
  "Payments are not set up on this server (no STRIPE_SECRET_KEY), so plans can't be bought or changed here.";

const BILLING_OFF_MESSAGE = `${BILLING_OFF_NOTE} Every account keeps the Free plan's limits.`;

export type PlanView = {
  id: PlanId;
  name: string;
  monthlyPriceCents: number;
  buttonsAllowed: number;
  minutesPerMonth: number;
  maxCallSeconds: number;
  canRingPhone: boolean;
};

function planView(plan: Plan): PlanView {
  return {
    id: plan.id,
    name: plan.name,
    monthlyPriceCents: plan.monthlyPriceCents,
    buttonsAllowed: plan.buttonsAllowed,
    minutesPerMonth: plan.minutesPerMonth,
    maxCallSeconds: plan.maxCallSeconds,
    canRingPhone: plan.canRingPhone,
  };
}

/**
 * What the portal shows of a subscription:
 * active, trialing, past_due, canceling (ends at period end), canceled, incomplete (checkout not
 * yet confirmed), or Stripe's own status word for the rarer ones (unpaid, paused, incomplete_expired).
 */
function subscriptionState(status: string, cancelAtPeriodEnd: boolean): string {
  if (cancelAtPeriodEnd && ENTITLED_STATUSES.has(status)) return "canceling";
  return status;
}

async function loadBillingState(deps: Pick<Ports, "db">, accountId: string) {
  const [account] = await deps.db
    .select({ plan: accounts.plan, stripeCustomerId: accounts.stripeCustomerId })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  const [subscription] = await deps.db
    .select()
    .from(subscriptions)
    .where(eq(subscriptions.accountId, accountId));
  return { account, subscription };
}

/** The Billing page: plan, subscription, usage this period against the quota, and the billing history. */
export async function billingOverview(deps: Deps, auth: { accountId: string; role: MemberRole }) {
  const { account, subscription } = await loadBillingState(deps, auth.accountId);
  const stripeEnabled = deps.billing.mode === "stripe";
  const usage = await getUsage(deps, auth.accountId);
  const [enabledButtons] = await deps.db
    .select({ n: count() })
    .from(buttons)
    .where(and(eq(buttons.accountId, auth.accountId), eq(buttons.enabled, true)));
  const history = await deps.db
    .select({
      id: billingRecords.id,
      occurredAt: billingRecords.occurredAt,
      amountCents: billingRecords.amountCents,
      currency: billingRecords.currency,
      status: billingRecords.status,
      description: billingRecords.description,
      invoiceUrl: billingRecords.invoiceUrl,
    })
    .from(billingRecords)
    .where(eq(billingRecords.accountId, auth.accountId))
    .orderBy(desc(billingRecords.occurredAt))
    .limit(100);

  const plan = planFor(account?.plan ?? "free");
  const sub = subscription?.stripeSubscriptionId ? subscription : undefined;
  const state = sub ? subscriptionState(sub.status, sub.cancelAtPeriodEnd) : null;
  return {
    stripeEnabled,
    /** Plain words for the page when Stripe is not configured; null when it is. */
    note: stripeEnabled
      ? null
      : plan.id === "free"
        ? `${BILLING_OFF_NOTE} The Free plan's limits apply.`
        : `${BILLING_OFF_NOTE} Your account is on the ${plan.name} plan, set outside of billing.`,
    plan: planView(plan),
    subscription: sub
      ? {
          plan: planFor(sub.plan).id,
          planName: planFor(sub.plan).name,
          status: sub.status,
          state: state ?? sub.status,
          cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
          currentPeriodStart: sub.currentPeriodStart,
          currentPeriodEnd: sub.currentPeriodEnd,
          /** When the paid plan ends and the account moves to Free (canceling subscriptions only). */
          endsAt: state === "canceling" ? sub.currentPeriodEnd : null,
        }
      : null,
    /** For the banner across the portal: the last payment failed and Stripe is retrying it. */
    pastDue: sub?.status === "past_due",
    usage: {
      periodStart: usage.periodStart,
      periodEnd: usage.periodEnd,
      calls: usage.calls,
      minutesUsed: usage.minutesUsed,
      minutesIncluded: usage.plan.minutesPerMonth,
      minutesLeft: usage.minutesLeft,
      /** 0–100, for the progress bar. */
      percentUsed:
        usage.plan.minutesPerMonth > 0
          ? Math.min(100, Math.round((usage.minutesUsed / usage.plan.minutesPerMonth) * 100))
          : 100,
      buttonsEnabled: enabledButtons?.n ?? 0,
      buttonsAllowed: usage.plan.buttonsAllowed,
    },
    history: history.map((record) => ({
      id: record.id,
      date: record.occurredAt,
      amountCents: record.amountCents,
      currency: record.currency,
      status: record.status as "paid" | "failed",
      description: record.description,
      invoiceUrl: record.invoiceUrl,
    })),
    /** Whether this user may start Checkout or open the Customer Portal (owners, with Stripe on). */
    canManage: stripeEnabled && auth.role === "owner",
    /** Whether there is a Stripe customer to open the Customer Portal for. */
    hasBillingAccount: Boolean(account?.stripeCustomerId ?? subscription?.stripeCustomerId),
  };
}

/** The plan table for the upgrade UI. */
export async function planTable(deps: Pick<Ports, "db" | "billing">, accountId: string) {
  const { account } = await loadBillingState(deps, accountId);
  const current = planFor(account?.plan ?? "free").id;
  const stripeEnabled = deps.billing.mode === "stripe";
  return {
    stripeEnabled,
    currentPlan: current,
    plans: Object.values(plans).map((plan) => ({
      ...planView(plan),
      current: plan.id === current,
      /** Can be bought through Checkout here (paid plans, with Stripe on). */
      purchasable: stripeEnabled && plan.id !== "free",
    })),
  };
}

function requireStripe(deps: Pick<Ports, "billing">): StripeBilling {
  if (deps.billing.mode !== "stripe") throw new AppError("UNAVAILABLE", BILLING_OFF_MESSAGE);
  return deps.billing;
}

function stripeUnavailable(deps: Pick<Ports, "log">, error: unknown, what: string): AppError {
  deps.log.error({ err: error }, `stripe: ${what} failed`);
  return new AppError(
    "UNAVAILABLE",
    "We couldn't reach our payment provider. Nothing was charged; please try again in a minute.",
    {
      cause: error,
    },
  );
}

/** A Stripe Checkout session for a paid plan; the portal sends the owner to its URL. */
export async function startCheckout(
  deps: Deps,
  owner: { accountId: string; email: string },
  plan: PaidPlanId,
): Promise<{ url: string }> {
  const billing = requireStripe(deps);
  const { account, subscription } = await loadBillingState(deps, owner.accountId);
  if (subscription?.stripeSubscriptionId && ENTITLED_STATUSES.has(subscription.status)) {
    throw new AppError(
      "CONFLICT",
      `You already have a ${planFor(subscription.plan).name} subscription. Change or cancel it in the billing portal.`,
    );
  }
  const base = deps.settings.publicUrl;
  try {
    const session = await billing.createCheckoutSession({
      plan,
      accountId: owner.accountId,
      customerId: account?.stripeCustomerId ?? subscription?.stripeCustomerId ?? null,
      customerEmail: owner.email,
      successUrl: new URL("/billing?checkout=success", base).toString(),
      cancelUrl: new URL("/billing?checkout=canceled", base).toString(),
    });
    return { url: session.url };
  } catch (error) {
    throw stripeUnavailable(deps, error, "creating a checkout session");
  }
}

/** A Stripe Customer Portal session (payment method, invoices, plan changes, cancellation). */
export async function openCustomerPortal(deps: Deps, accountId: string): Promise<{ url: string }> {
  const billing = requireStripe(deps);
  const { account, subscription } = await loadBillingState(deps, accountId);
  const customerId = account?.stripeCustomerId ?? subscription?.stripeCustomerId;
  if (!customerId) {
    throw new AppError(
      "CONFLICT",
      "There is no subscription to manage yet. Choose a plan to subscribe first.",
    );
  }
  try {
    const session = await billing.createPortalSession({
      customerId,
      returnUrl: new URL("/billing", deps.settings.publicUrl).toString(),
    });
    return { url: session.url };
  } catch (error) {
    throw stripeUnavailable(deps, error, "creating a customer portal session");
  }
}
