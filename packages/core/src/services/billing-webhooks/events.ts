import type { Settings } from "../../context";
import type { Ports, StripeBilling } from "../../ports";

/**
 * Stripe webhook events, applied to the account, its subscription row and its billing records.
 *
 * - Idempotent: the event id goes into processed_webhook_events in the same transaction as the
 *   change it causes, so a redelivery (or a concurrent duplicate) changes nothing.
 * - Order-safe: a subscription event older than the newest one applied (subscriptions.lastEventAt)
 *   is recorded as processed but changes nothing.
 * - accounts.plan (what the quotas read) follows the subscription: the paid plan while the
 *   subscription is active, trialing or past due (also when it cancels at period end), the Free
 *   plan once it has ended. A downgrade turns off the newest buttons over the new limit and tells
 *   the owner by email.
 */

export const HANDLED_STRIPE_EVENTS = [
  "checkout.session.completed",
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
] as const;

/** Subscription statuses that keep the paid plan (past due: while Stripe retries the payment). */
export const ENTITLED_STATUSES: ReadonlySet<string> = new Set(["active", "trialing", "past_due"]);

export type WebhookOutcome =
  | { result: "processed"; eventType: string }
  | { result: "duplicate"; eventType: string }
  /** Older than the subscription state already applied: recorded, nothing changed. */
  | { result: "stale"; eventType: string }
  /** Not an event this product handles. */
  | { result: "ignored"; eventType: string }
  /** No account of ours matches: nothing recorded, so a redelivery after a fix can still apply. */
  | { result: "unmatched"; eventType: string };

export type WebhookDeps = Pick<Ports, "db" | "mailer" | "log" | "clock"> & {
  billing: StripeBilling;
  settings: Pick<Settings, "publicUrl">;
};

/** Thrown inside the transaction when no account of ours matches the event. */
export class Unmatched extends Error {}
