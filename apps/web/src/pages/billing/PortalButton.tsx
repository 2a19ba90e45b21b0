import { Button } from "@cac/ui";
import type { ReactNode } from "react";
import type { usePortal } from "./stripe-pages";

/** Opens Stripe's Customer Portal; the card that holds `portal` shows its error. */
export function PortalButton({
  portal,
  children,
}: {
  portal: ReturnType<typeof usePortal>;
  children: ReactNode;
}) {
  return (
    <Button
      variant="secondary"
      size="sm"
      onClick={() => portal.mutate()}
      pending={portal.isPending}
      pendingLabel="Opening…"
    >
      {children}
    </Button>
  );
}
