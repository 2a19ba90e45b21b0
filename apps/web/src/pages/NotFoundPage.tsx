import { buttonClass, EmptyState, PageHeader } from "@cac/ui";
import { Link } from "react-router";
import { usePageTitle } from "../lib/usePageTitle";

export function NotFoundPage() {
  usePageTitle("Page not found");
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        title="There is nothing at this address"
        action={
          <Link to="/" className={buttonClass()}>
            Go to the dashboard
          </Link>
        }
      >
        <p>Check the address, or start again from the dashboard.</p>
      </EmptyState>
    </>
  );
}
