import { Alert, Badge, Card } from "@cac/ui";
import { describeError } from "../../lib/errors";
import { describeState, formatDate, formatPrice } from "./format";
import { PortalButton } from "./PortalButton";
import { usePortal } from "./stripe-pages";
import type { Overview } from "./types";

/** The plan, the subscription's state in words, and the way to Stripe's Customer Portal. */
export function CurrentPlanCard({ overview, timeZone }: { overview: Overview; timeZone: string }) {
  const portal = usePortal();
  const sub = overview.subscription;
  const state = sub ? describeState(sub.state) : null;
  const periodEnd = sub?.currentPeriodEnd ? formatDate(sub.currentPeriodEnd, timeZone) : null;

  let note: string;
  if (!sub) {
    note =
      overview.plan.monthlyPriceCents === 0
        ? "No subscription: nothing to pay."
        : "Not billed through Stripe.";
  } else if (sub.state === "canceling") {
    note = `Canceled: the ${sub.planName} plan ends on ${sub.endsAt ? formatDate(sub.endsAt, timeZone) : periodEnd}. Your account then moves to the Free plan.`;
  } else if (sub.state === "trialing") {
    note = periodEnd ? `Your trial ends on ${periodEnd}.` : "You are on a trial.";
  } else if (sub.state === "past_due") {
    note = "Your last payment failed. Stripe will try again; update your payment method to keep your plan.";
  } else if (sub.state === "active") {
    note = periodEnd ? `Renews on ${periodEnd}.` : "Active.";
  } else if (sub.state === "canceled") {
    note = "This subscription has ended.";
  } else if (sub.state === "incomplete") {
    note = "Stripe is still confirming the first payment.";
  } else {
    note = `Subscription status: ${state?.label ?? sub.state}.`;
  }

  return (
    <Card
      id="current-plan"
      title="Your plan"
      footer={
        overview.canManage && overview.hasBillingAccount ? (
          <>
            <PortalButton portal={portal}>Manage billing</PortalButton>
            <span className="muted billing-footnote">
              Payment method, invoices, plan changes and cancellation, on Stripe.
            </span>
          </>
        ) : undefined
      }
    >
      <div className="stack">
        <div className="billing-plan-line">
          <p className="billing-plan-name">{overview.plan.name}</p>
          {state ? (
            <Badge tone={state.tone}>{state.label}</Badge>
          ) : (
            <Badge tone="neutral">No subscription</Badge>
          )}
        </div>
        <p className="billing-plan-price">{formatPrice(overview.plan.monthlyPriceCents)}</p>
        <p>{note}</p>
        {portal.isError ? <Alert tone="error">{describeError(portal.error).message}</Alert> : null}
      </div>
    </Card>
  );
}
