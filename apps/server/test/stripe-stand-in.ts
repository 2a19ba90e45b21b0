/**
 * Stripe at the network boundary, for tests: a tiny HTTP server standing in for api.stripe.com
 * (the real SDK is pointed at it through STRIPE_API_URL), plus builders of signed webhook deliveries.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import Stripe from "stripe";

export type RecordedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw form-encoded body the SDK sent. */
  body: string;
  /** The body parsed as Stripe's bracketed form encoding, e.g. `line_items[0][price]`. */
  form: Record<string, string>;
};

export type StripeStandIn = {
  url: string;
  requests: RecordedRequest[];
  /** Answers the next request with this Stripe error instead (once). */
  failNext(status: number, message: string): void;
  close(): Promise<void>;
};

const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

/** Answers like Stripe for the two calls the product makes: Checkout and Customer Portal sessions. */
export async function startStripeStandIn(): Promise<StripeStandIn> {
  const requests: RecordedRequest[] = [];
  let failure: { status: number; message: string } | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const form = Object.fromEntries(new URLSearchParams(body));
      const path = (req.url ?? "/").split("?")[0]!;
      requests.push({ method: req.method ?? "", path, headers: req.headers, body, form });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json", "request-id": newId("req") });
        res.end(JSON.stringify(payload));
      };
      if (failure) {
        const { status, message } = failure;
        failure = null;
        return send(status, { error: { type: "invalid_request_error", message } });
      }
      if (req.method === "POST" && path === "/v1/checkout/sessions") {
        const id = newId("cs_test");
        return send(200, {
          id,
          object: "checkout.session",
          mode: form.mode ?? "subscription",
          client_reference_id: form.client_reference_id ?? null,
          url: `https://checkout.stripe.test/c/pay/${id}`,
        });
      }
      if (req.method === "POST" && path === "/v1/billing_portal/sessions") {
        const id = newId("bps");
        return send(200, {
          id,
          object: "billing_portal.session",
          customer: form.customer ?? null,
          return_url: form.return_url ?? null,
          url: `https://billing.stripe.test/p/session/${id}`,
        });
      }
      return send(404, {
        error: {
          type: "invalid_request_error",
          message: `Unrecognized request URL (${req.method}: ${path})`,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status, message) {
      failure = { status, message };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export const STRIPE_TEST_ENV = {
  STRIPE_SECRET_KEY: "sk_test_clickandcall",
  STRIPE_WEBHOOK_SECRET: "whsec_clickandcalltest",
  STRIPE_PRICE_STARTER: "price_starter_monthly",
  STRIPE_PRICE_PRO: "price_pro_monthly",
} as const;

/** Stripe's own signing helper, as a delivery from Stripe would be signed. */
export function signPayload(payload: string, secret: string = STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret });
}

/** POSTs a signed event to /webhooks/stripe, exactly as Stripe delivers it. */
export async function deliver(
  baseUrl: string,
  event: object,
  options: { signature?: string; secret?: string } = {},
) {
  const payload = JSON.stringify(event);
  const response = await fetch(`${baseUrl}/webhooks/stripe`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "stripe-signature": options.signature ?? signPayload(payload, options.secret),
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
    },
    body: payload,
  });
  const text = await response.text();
  let json: { received?: boolean; result?: string; error?: string } | undefined;
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

const unix = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);

/** An event envelope as Stripe sends it (API version pinned by the SDK). */
export function stripeEvent(type: string, object: object, created: Date | string, id = newId("evt")) {
  return {
    id,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: unix(created),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
}

export type SubscriptionFixture = {
  id?: string;
  customer: string;
  accountId?: string;
  price: string;
  status?: string;
  periodStart: Date | string;
  periodEnd: Date | string;
  cancelAtPeriodEnd?: boolean;
  cancelAt?: Date | string | null;
  /** Put the current period on the subscription (API versions before 2025-03-31) instead of its items. */
  legacyPeriod?: boolean;
};

/** A Subscription object, current period on its items as in the SDK's API version. */
export function subscriptionObject(f: SubscriptionFixture) {
  const id = f.id ?? newId("sub");
  const period = { current_period_start: unix(f.periodStart), current_period_end: unix(f.periodEnd) };
  return {
    id,
    object: "subscription",
    customer: f.customer,
    status: f.status ?? "active",
    cancel_at_period_end: f.cancelAtPeriodEnd ?? false,
    cancel_at: f.cancelAt ? unix(f.cancelAt) : null,
    canceled_at: null,
    ended_at: f.status === "canceled" ? unix(f.periodEnd) : null,
    created: unix(f.periodStart),
    currency: "usd",
    livemode: false,
    metadata: f.accountId ? { accountId: f.accountId } : {},
    ...(f.legacyPeriod ? period : {}),
    items: {
      object: "list",
      data: [
        {
          id: newId("si"),
          object: "subscription_item",
          subscription: id,
          quantity: 1,
          price: {
            id: f.price,
            object: "price",
            currency: "usd",
            recurring: { interval: "month", interval_count: 1 },
          },
          ...(f.legacyPeriod ? {} : period),
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
  };
}

export type InvoiceFixture = {
  id?: string;
  customer: string;
  subscription: string;
  /** The subscription's metadata at invoice time (where Stripe copies accountId). */
  accountId?: string;
  amountCents: number;
  status: "paid" | "open";
  paidAt?: Date | string;
  nextPaymentAttempt?: Date | string | null;
  description?: string;
};

export function invoiceObject(f: InvoiceFixture) {
  const id = f.id ?? newId("in");
  return {
    id,
    object: "invoice",
    customer: f.customer,
    currency: "usd",
    amount_due: f.amountCents,
    amount_paid: f.status === "paid" ? f.amountCents : 0,
    amount_remaining: f.status === "paid" ? 0 : f.amountCents,
    attempt_count: 1,
    billing_reason: "subscription_cycle",
    hosted_invoice_url: `https://invoice.stripe.test/i/${id}`,
    invoice_pdf: `https://pay.stripe.test/invoice/${id}/pdf`,
    next_payment_attempt: f.nextPaymentAttempt ? unix(f.nextPaymentAttempt) : null,
    status: f.status,
    status_transitions: {
      finalized_at: null,
      marked_uncollectible_at: null,
      paid_at: f.paidAt ? unix(f.paidAt) : null,
      voided_at: null,
    },
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: {
        subscription: f.subscription,
        metadata: f.accountId ? { accountId: f.accountId } : {},
      },
    },
    lines: {
      object: "list",
      data: [
        {
          id: newId("il"),
          object: "line_item",
          amount: f.amountCents,
          currency: "usd",
          description: f.description ?? null,
        },
      ],
      has_more: false,
    },
    livemode: false,
  };
}

export function checkoutSessionObject(f: {
  accountId: string;
  customer: string;
  subscription: string;
  plan?: string;
}) {
  return {
    id: newId("cs_test"),
    object: "checkout.session",
    mode: "subscription",
    status: "complete",
    payment_status: "paid",
    client_reference_id: f.accountId,
    customer: f.customer,
    subscription: f.subscription,
    metadata: { accountId: f.accountId, ...(f.plan ? { plan: f.plan } : {}) },
    url: null,
  };
}

export { newId as stripeId };
