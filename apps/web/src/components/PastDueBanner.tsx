import { Banner, buttonClass } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { Link, useLocation } from "react-router";
import { useTRPC } from "../trpc";
import { useMe } from "./MeContext";

/**
 * Across the portal while the subscription is past due (a payment failed and Stripe is retrying),
 * pointing to Billing. Says nothing while the billing overview loads or fails.
 */
export function PastDueBanner() {
  const trpc = useTRPC();
  const { user } = useMe();
  const location = useLocation();
  const overview = useQuery({ ...trpc.billing.overview.queryOptions(), staleTime: 60_000 });
  if (!overview.data?.pastDue) return null;
  const plan = overview.data.subscription?.planName ?? overview.data.plan.name;
  const onBilling = location.pathname === "/billing";
  return (
    <Banner
      tone="warning"
      label="Payment problem"
      actions={
        onBilling ? null : (
          <Link to="/billing" className={buttonClass({ variant: "secondary", size: "sm" })}>
            Go to Billing
          </Link>
        )
      }
    >
      <p>
        <strong>Your last payment failed.</strong>{" "}
        {user.role === "owner"
          ? `Update your payment method in Billing to keep your ${plan} plan.`
          : `Ask the account owner to update the payment method to keep the ${plan} plan.`}
      </p>
    </Banner>
  );
}
