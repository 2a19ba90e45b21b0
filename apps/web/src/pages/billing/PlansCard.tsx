import { Alert, Badge, Button, Card, ErrorState, Skeleton } from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import { ENTITLED_STATES, formatCallLength, formatCount, formatPrice } from "./format";
import { PortalButton } from "./PortalButton";
import { goTo, usePortal } from "./stripe-pages";
import type { Overview, PlanRow } from "./types";

/** The plans, with Checkout to buy one, or the Customer Portal to switch a running subscription. */
export function PlansCard({ overview }: { overview: Overview }) {
  const trpc = useTRPC();
  const plans = useQuery(trpc.billing.plans.queryOptions());
  const checkout = useMutation(trpc.billing.checkout.mutationOptions({ onSuccess: ({ url }) => goTo(url) }));
  const portal = usePortal();
  const sub = overview.subscription;
  const subscribed = sub !== null && ENTITLED_STATES.has(sub.state);
  const current = overview.plan;

  const action = (plan: PlanRow) => {
    if (plan.current || !overview.canManage) return null;
    if (subscribed) {
      // Plan changes of a running subscription happen in the Customer Portal (proration, dates).
      return plan.purchasable ? <PortalButton portal={portal}>Switch in billing portal</PortalButton> : null;
    }
    if (!plan.purchasable) return null;
    const verb = plan.monthlyPriceCents > current.monthlyPriceCents ? "Upgrade" : "Choose";
    const pending = checkout.isPending && checkout.variables?.plan === plan.id;
    return (
      <Button
        size="sm"
        onClick={() => {
          if (plan.id === "starter" || plan.id === "pro") checkout.mutate({ plan: plan.id });
        }}
        disabled={checkout.isPending && !pending}
        pending={pending}
        pendingLabel="Opening Checkout…"
        aria-label={`${verb} to ${plan.name}`}
      >
        {verb} to {plan.name}
      </Button>
    );
  };

  const error = checkout.error ?? portal.error;
  return (
    <Card
      id="plans"
      title="Plans"
      description={overview.stripeEnabled ? "Pay monthly with Stripe Checkout; cancel any time." : undefined}
    >
      {plans.isPending ? (
        <Skeleton lines={4} label="Loading plans…" />
      ) : plans.isError ? (
        <ErrorState
          title="We could not load the plans"
          message={describeError(plans.error).message}
          onRetry={() => plans.refetch()}
          retrying={plans.isFetching}
        />
      ) : (
        <div className="stack">
          {error ? (
            <Alert tone="error" title="We could not open the payment page">
              {describeError(error).message}
            </Alert>
          ) : null}
          <ul className="billing-plans">
            {plans.data.plans.map((plan) => (
              <li
                key={plan.id}
                className={plan.current ? "billing-plan billing-plan--current" : "billing-plan"}
              >
                <div className="billing-plan-line">
                  <h3 className="billing-plan-title">{plan.name}</h3>
                  {plan.current ? <Badge tone="info">Current plan</Badge> : null}
                </div>
                <p className="billing-plan-price">{formatPrice(plan.monthlyPriceCents)}</p>
                <ul className="billing-plan-features">
                  <li>{formatCount(plan.minutesPerMonth)} call minutes a month</li>
                  <li>
                    {formatCount(plan.buttonsAllowed)} active button{plan.buttonsAllowed === 1 ? "" : "s"}
                  </li>
                  <li>Calls up to {formatCallLength(plan.maxCallSeconds)}</li>
                  <li>{plan.canRingPhone ? "Rings your phone or this portal" : "Rings this portal"}</li>
                </ul>
                <div className="billing-plan-action">{action(plan)}</div>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Card>
  );
}
