import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "../../trpc";

/** Sends the browser to a Stripe page (Checkout or the Customer Portal). */
export function goTo(url: string) {
  const target = new URL(url, window.location.href);
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new Error("The payment page address is not a web address.");
  }
  window.location.assign(target.toString());
}

export function isWebUrl(url: string): boolean {
  try {
    return ["https:", "http:"].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** Opens Stripe's Customer Portal: payment method, invoices, plan changes, cancellation. */
export function usePortal() {
  const trpc = useTRPC();
  return useMutation(trpc.billing.portal.mutationOptions({ onSuccess: ({ url }) => goTo(url) }));
}
