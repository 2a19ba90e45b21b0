import "./billing.css";
import {
  Alert,
  Badge,
  Button,
  Card,
  ErrorState,
  PageHeader,
  ProgressBar,
  Skeleton,
  TableScroll,
} from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useSearchParams } from "react-router";
import { useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { usePageTitle } from "../../lib/usePageTitle";
import { type RouterOutputs, useTRPC } from "../../trpc";
import {
  describeState,
  ENTITLED_STATES,
  formatCallLength,
  formatCount,
  formatDate,
  formatMoney,
  formatPrice,
} from "./format";

type Overview = RouterOutputs["billing"]["overview"];
type PlanRow = RouterOutputs["billing"]["plans"]["plans"][number];

/** After Checkout, Stripe tells the server by webhook; the page looks again a few times meanwhile. */
const CHECKOUT_POLL_MS = 3_000;
const CHECKOUT_POLL_TIMES = 10;

/** Sends the browser to a Stripe page (Checkout or the Customer Portal). */
function goTo(url: string) {
  const target = new URL(url, window.location.href);
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new Error("The payment page address is not a web address.");
  }
  window.location.assign(target.toString());
}

function isWebUrl(url: string): boolean {
  try {
    return ["https:", "http:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

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
          <Skeleton lines={4} label="Loading your plan…" />
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
        <CurrentPlan overview={overview} timeZone={account.timezone} />
        <Usage overview={overview} timeZone={account.timezone} />
      </div>
      <Plans overview={overview} />
      <History overview={overview} timeZone={account.timezone} />
    </>
  );
}

function usePortal() {
  const trpc = useTRPC();
  return useMutation(trpc.billing.portal.mutationOptions({ onSuccess: ({ url }) => goTo(url) }));
}

function CurrentPlan({ overview, timeZone }: { overview: Overview; timeZone: string }) {
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
            <Button
              variant="secondary"
              size="sm"
              onClick={() => portal.mutate()}
              pending={portal.isPending}
              pendingLabel="Opening…"
            >
              Manage billing
            </Button>
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

function Usage({ overview, timeZone }: { overview: Overview; timeZone: string }) {
  const u = overview.usage;
  // Without a subscription the period is the calendar month in UTC; a subscription has its own.
  const zone = overview.subscription ? timeZone : "UTC";
  const lastDay = new Date(u.periodEnd.getTime() - 1);
  const minutesTone = u.percentUsed >= 100 ? "danger" : u.percentUsed >= 80 ? "warning" : "primary";
  const buttonsFull = u.buttonsEnabled >= u.buttonsAllowed;
  return (
    <Card
      id="usage"
      title="Usage this period"
      description={`${formatDate(u.periodStart, zone)} – ${formatDate(lastDay, zone)}`}
    >
      <div className="stack">
        <ProgressBar
          label="Minutes"
          value={u.minutesUsed}
          max={u.minutesIncluded}
          tone={minutesTone}
          detail={`${formatCount(u.minutesUsed)} of ${formatCount(u.minutesIncluded)} min`}
          valueText={`${formatCount(u.minutesUsed)} of ${formatCount(u.minutesIncluded)} minutes used`}
        />
        <ProgressBar
          label="Active buttons"
          value={u.buttonsEnabled}
          max={u.buttonsAllowed}
          tone={buttonsFull ? "warning" : "primary"}
          detail={`${formatCount(u.buttonsEnabled)} of ${formatCount(u.buttonsAllowed)}`}
          valueText={`${formatCount(u.buttonsEnabled)} of ${formatCount(u.buttonsAllowed)} buttons active`}
        />
        <dl className="billing-facts">
          <div>
            <dt>Calls</dt>
            <dd>{formatCount(u.calls)}</dd>
          </div>
          <div>
            <dt>Minutes left</dt>
            <dd>{formatCount(u.minutesLeft)}</dd>
          </div>
        </dl>
        {u.minutesLeft === 0 ? (
          <Alert tone="warning">
            You have used all the minutes of your plan for this period. New calls are refused until{" "}
            {formatDate(u.periodEnd, zone)}
            {overview.canManage ? ", or upgrade for more minutes now." : "."}
          </Alert>
        ) : null}
        <p className="muted billing-footnote">Each call counts as whole minutes, rounded up.</p>
      </div>
    </Card>
  );
}

function Plans({ overview }: { overview: Overview }) {
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
      return plan.purchasable ? (
        <Button
          variant="secondary"
          size="sm"
          onClick={() => portal.mutate()}
          pending={portal.isPending}
          pendingLabel="Opening…"
        >
          Switch in billing portal
        </Button>
      ) : null;
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

function History({ overview, timeZone }: { overview: Overview; timeZone: string }) {
  return (
    <Card id="billing-history" title="Billing history">
      {overview.history.length === 0 ? (
        <p className="muted">No payments yet. Invoices appear here after each payment.</p>
      ) : (
        <TableScroll label="Billing history">
          <table className="ui-table billing-table">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Description</th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
                <th scope="col">Invoice</th>
              </tr>
            </thead>
            <tbody>
              {overview.history.map((record) => (
                <tr key={record.id}>
                  <td className="nowrap">
                    <time dateTime={record.date.toISOString()}>{formatDate(record.date, timeZone)}</time>
                  </td>
                  <td>{record.description ?? "Subscription"}</td>
                  <td className="num">{formatMoney(record.amountCents, record.currency)}</td>
                  <td>
                    {record.status === "paid" ? (
                      <Badge tone="success">Paid</Badge>
                    ) : (
                      <Badge tone="error">Payment failed</Badge>
                    )}
                  </td>
                  <td>
                    {record.invoiceUrl && isWebUrl(record.invoiceUrl) ? (
                      <a href={record.invoiceUrl} target="_blank" rel="noopener noreferrer">
                        View invoice
                        <span className="ui-visually-hidden">
                          {" "}
                          from {formatDate(record.date, timeZone)} (opens in a new tab)
                        </span>
                      </a>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </Card>
  );
}
