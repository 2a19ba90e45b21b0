import type { PaidPlanId } from "../../ports";
import type { WebhookDeps } from "./events";

/** Stripe sends either an id or the expanded object. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === "string" ? value : value.id;
}

export function fromUnix(seconds: number | null | undefined): Date | null {
  return typeof seconds === "number" ? new Date(seconds * 1000) : null;
}

export function isPaidPlan(value: unknown): value is PaidPlanId {
  return value === "starter" || value === "pro";
}

export function billingUrl(deps: WebhookDeps): string {
  return new URL("/billing", deps.settings.publicUrl).toString();
}

export function formatMoney(amountCents: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency: currency.toUpperCase() }).format(
      amountCents / 100,
    );
  } catch {
    return `${(amountCents / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** A day as the account reads it: in the account's timezone. */
export function formatDate(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone }).format(date);
}
