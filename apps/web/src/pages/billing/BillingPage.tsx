import "./billing.css";
import { Alert, Button, Card, ErrorState, PageHeader, TilesSkeleton } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { usePageTitle } from "../../lib/usePageTitle";
import { useTRPC } from "../../trpc";
import { BillingHistoryCard } from "./BillingHistoryCard";
import { CurrentPlanCard } from "./CurrentPlanCard";
import { PlansCard } from "./PlansCard";
import type { Overview } from "./types";
import { UsageCard } from "./UsageCard";

/** After Checkout, Stripe tells the server by webhook; the page looks again a few times meanwhile. */
const CHECKOUT_POLL_MS = 3_000;
const CHECKOUT_POLL_TIMES = 10;

/** Plan, subscription, usage against the quota, plans to upgrade to, and the billing history. */
export function BillingPage() {
  usePageTitle("Billing");
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const checkout = params.get("checkout");
  const overview = useQuery({
    ...trpc.billing.overview.queryOptions(),
    refetchInterval: (query) =>
      checkout === "success" &&
      !query.state.data?.subscription &&
      query.state.dataUpdateCount <= CHECKOUT_POLL_TIMES
        ? CHECKOUT_POLL_MS
        : false,
  });
  const dismissCheckout = () =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete("checkout");
        return next;
      },
      { replace: true },
    );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Billing"
        description="Your plan, what you used this period, and your invoices. Payments are handled by Stripe; we never see your card number."
      />
      {checkout === "success" ? (
        <Alert
          tone="success"
          title="Thank you, your payment went through"
          actions={
            <Button variant="link" size="sm" onClick={dismissCheckout}>
              Dismiss
            </Button>
          }
        >
          Your new plan shows here as soon as Stripe confirms the subscription, usually within a few seconds.
        </Alert>
      ) : checkout === "canceled" ? (
        <Alert
          tone="info"
          title="Checkout was canceled"
          actions={
            <Button variant="link" size="sm" onClick={dismissCheckout}>
              Dismiss
            </Button>
          }
        >
          Nothing was charged, and your plan did not change.
        </Alert>
      ) : null}
      {overview.isPending ? (
        <Card title="Your plan">
          <TilesSkeleton tiles={3} label="Loading your plan…" />
        </Card>
      ) : overview.isError ? (
        <ErrorState
          title="We could not load your billing details"
          message={describeError(overview.error).message}
          onRetry={() => overview.refetch()}
          retrying={overview.isFetching}
        />
      ) : (
        <BillingDetails overview={overview.data} />
      )}
    </div>
  );
}

function BillingDetails({ overview }: { overview: Overview }) {
  const { user, account } = useMe();
  const isOwner = user.role === "owner";
  return (
    <>
      {overview.stripeEnabled ? null : (
        <Alert tone="info">
          {overview.plan.id === "free" ? (
            <p>
              Billing is not set up on this server: every account has the Free plan's limits. Plans can't be
              bought or changed here.
            </p>
          ) : (
            <p>
              Billing is not set up on this server: your account is on the {overview.plan.name} plan, set by
              the operator outside of billing.
            </p>
          )}
        </Alert>
      )}
      {overview.stripeEnabled && !isOwner ? (
        <Alert tone="info">
          You can see the plan and invoices. Only the account owner can change the plan or payment details.
        </Alert>
      ) : null}
      <div className="billing-grid">
        <CurrentPlanCard overview={overview} timeZone={account.timezone} />
        <UsageCard overview={overview} timeZone={account.timezone} />
      </div>
      <PlansCard overview={overview} />
      <BillingHistoryCard overview={overview} timeZone={account.timezone} />
    </>
  );
}
