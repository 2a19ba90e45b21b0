import { EmptyState, PageHeader } from "@cac/ui";
import { useMe } from "../components/MeContext";
import { usePageTitle } from "../lib/usePageTitle";

const icon = (d: string) => (
  <svg
    aria-hidden="true"
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth="1.8"
    strokeLinejoin="round"
  >
    <path d={d} />
  </svg>
);

export function ButtonsPage() {
  usePageTitle("Buttons");
  return (
    <>
      <PageHeader
        title="Buttons"
        description="Call buttons are what visitors click on your website to call you."
      />
      <EmptyState icon={icon("M4 7h16v10H4zM8 12h8")} title="No call buttons yet">
        <p>
          This is where you will create call buttons: choose the label and colors, set your opening hours,
          pick where calls ring (this portal, your phone, or both) and list the websites allowed to show each
          button.
        </p>
        <p>Each button comes with a one-line snippet to paste into your site.</p>
      </EmptyState>
    </>
  );
}

export function CallsPage() {
  usePageTitle("Calls");
  return (
    <>
      <PageHeader title="Calls" description="Every call your buttons receive." />
      <EmptyState icon={icon("M4 6h16M4 12h16M4 18h10")} title="No calls yet">
        <p>
          Calls will be listed here with their time, duration and button. Audio is never recorded or stored.
        </p>
      </EmptyState>
    </>
  );
}

export function BillingPage() {
  usePageTitle("Billing");
  const { account } = useMe();
  return (
    <>
      <PageHeader title="Billing" description={`You are on the ${account.plan} plan.`} />
      <EmptyState icon={icon("M3 7h18v10H3zM3 11h18")} title="Nothing to pay">
        <p>
          Plans, payment details and invoices will be managed here. Payments are handled by Stripe; we never
          see your card number.
        </p>
        <p>Until then, your account has the free plan's limits.</p>
      </EmptyState>
    </>
  );
}
