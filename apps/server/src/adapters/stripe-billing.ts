import type { PaidPlanId, StripeBilling } from "@cac/core";
import Stripe from "stripe";

export type StripeSettings = {
  secretKey: string;
  webhookSecret: string;
  prices: Record<PaidPlanId, string>;
  /** A stand-in for api.stripe.com (tests, stripe-mock); the real API when unset. */
  apiUrl: URL | undefined;
};

/** Where the SDK sends its requests: api.stripe.com, or the host/port/protocol of STRIPE_API_URL. */
export function stripeConnection(apiUrl: URL | undefined) {
  if (!apiUrl) return {};
  const protocol = apiUrl.protocol === "http:" ? "http" : "https";
  return {
    host: apiUrl.hostname,
    port: apiUrl.port || (protocol === "http" ? "80" : "443"),
    protocol,
  } as const;
}

/** Stripe Checkout, the Customer Portal and webhook signatures, through the official SDK. */
export function createStripeBilling(settings: StripeSettings): StripeBilling {
  const stripe = new Stripe(settings.secretKey, {
    ...stripeConnection(settings.apiUrl),
    appInfo: { name: "Click & Call" },
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
  });
  return {
    mode: "stripe",
    prices: settings.prices,
    async createCheckoutSession(request) {
      const session = await stripe.checkout.sessions.create({
        mode: "subscription",
        line_items: [{ price: settings.prices[request.plan], quantity: 1 }],
        client_reference_id: request.accountId,
        ...(request.customerId
          ? { customer: request.customerId }
          : { customer_email: request.customerEmail }),
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
        metadata: { accountId: request.accountId, plan: request.plan },
        subscription_data: { metadata: { accountId: request.accountId, plan: request.plan } },
      });
      if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
      return { id: session.id, url: session.url };
    },
    async createPortalSession(request) {
      const session = await stripe.billingPortal.sessions.create({
        customer: request.customerId,
        return_url: request.returnUrl,
      });
      return { id: session.id, url: session.url };
    },
    constructWebhookEvent(rawBody, signature) {
      return stripe.webhooks.constructEvent(rawBody, signature, settings.webhookSecret);
    },
  };
}
