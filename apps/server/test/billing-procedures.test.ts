/**
 * billing.overview / plans / checkout / portal: Checkout and Customer Portal sessions go through
 * the real stripe SDK to a local stand-in, and the test reads the request the SDK sent.
 */
import { reconcileUsageTotals } from "@cac/core";
import { accounts, billingRecords, callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { expectTrpcError, type Harness, loginAgent, rawTrpc, signupVerified, startHarness } from "./harness";
import {
  deliver,
  invoiceObject,
  STRIPE_TEST_ENV,
  type StripeStandIn,
  startStripeStandIn,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from "./stripe-stand-in";

const PUBLIC_URL = "http://portal.localhost:4100";
const PERIOD = { periodStart: "2026-02-20T10:00:00Z", periodEnd: "2026-03-20T10:00:00Z" };

async function newOwner(h: Harness) {
  const owner = await signupVerified(h);
  const me = await owner.client.trpc.account.me.query();
  return { ...owner, accountId: me!.account.id };
}

describe("billing procedures with Stripe on (real SDK against the local stand-in)", () => {
  let h: Harness;
  let stripe: StripeStandIn;
  beforeAll(async () => {
    stripe = await startStripeStandIn();
    h = await startHarness({ env: { ...STRIPE_TEST_ENV, STRIPE_API_URL: stripe.url, PUBLIC_URL } });
  });
  afterAll(async () => {
    await h.close();
    await stripe.close();
  });

  it("checkout creates a Checkout Session with the plan's price, the account and the owner's email, and returns its URL", async () => {
    const owner = await newOwner(h);
    const before = stripe.requests.length;
    const { url } = await owner.client.trpc.billing.checkout.mutate({ plan: "starter" });

    expect(stripe.requests.length).toBe(before + 1);
    const sent = stripe.requests.at(-1)!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/v1/checkout/sessions");
    expect(sent.headers.authorization).toBe(`Bearer ${STRIPE_TEST_ENV.STRIPE_SECRET_KEY}`);
    expect(sent.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(sent.form).toMatchObject({
      mode: "subscription",
      "line_items[0][price]": STRIPE_TEST_ENV.STRIPE_PRICE_STARTER,
      "line_items[0][quantity]": "1",
      client_reference_id: owner.accountId,
      customer_email: owner.email,
      success_url: `${PUBLIC_URL}/billing?checkout=success`,
      cancel_url: `${PUBLIC_URL}/billing?checkout=canceled`,
      "subscription_data[metadata][accountId]": owner.accountId,
      "subscription_data[metadata][plan]": "starter",
    });
    expect(sent.form.customer).toBeUndefined();
    // The URL is the one Stripe (the stand-in) answered with, not one made up by the product.
    expect(url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_[0-9a-f]+$/);

    await owner.client.trpc.billing.checkout.mutate({ plan: "pro" });
    expect(stripe.requests.at(-1)!.form["line_items[0][price]"]).toBe(STRIPE_TEST_ENV.STRIPE_PRICE_PRO);
  });

  it("a known Stripe customer is reused; an active subscription is changed in the portal, not bought twice", async () => {
    const owner = await newOwner(h);
    const customer = stripeId("cus");
    const id = stripeId("sub");
    await h.db.db
      .update(accounts)
      .set({ stripeCustomerId: customer })
      .where(eq(accounts.id, owner.accountId));
    await owner.client.trpc.billing.checkout.mutate({ plan: "pro" });
    const sent = stripe.requests.at(-1)!;
    expect(sent.form.customer).toBe(customer);
    expect(sent.form.customer_email).toBeUndefined();

    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.created",
        subscriptionObject({
          id,
          customer,
          accountId: owner.accountId,
          price: STRIPE_TEST_ENV.STRIPE_PRICE_PRO,
          ...PERIOD,
        }),
        "2026-02-20T10:00:00Z",
      ),
    );
    const before = stripe.requests.length;
    const conflict = await expectTrpcError(owner.client.trpc.billing.checkout.mutate({ plan: "starter" }));
    expect(conflict.data?.appCode).toBe("CONFLICT");
    expect(conflict.message).toMatch(/already have a Pro subscription/);
    expect(stripe.requests.length).toBe(before);
  });

  it("portal creates a Customer Portal session for the account's customer and returns its URL", async () => {
    const owner = await newOwner(h);
    const none = await expectTrpcError(owner.client.trpc.billing.portal.mutate());
    expect(none.data?.appCode).toBe("CONFLICT");
    expect(none.message).toMatch(/no subscription to manage yet/);

    const customer = stripeId("cus");
    await h.db.db
      .update(accounts)
      .set({ stripeCustomerId: customer })
      .where(eq(accounts.id, owner.accountId));
    const { url } = await owner.client.trpc.billing.portal.mutate();
    const sent = stripe.requests.at(-1)!;
    expect(sent.path).toBe("/v1/billing_portal/sessions");
    expect(sent.form).toEqual({ customer, return_url: `${PUBLIC_URL}/billing` });
    expect(url).toMatch(/^https:\/\/billing\.stripe\.test\/p\/session\/bps_[0-9a-f]+$/);
  });

  it("when Stripe answers with an error, the owner gets a clear UNAVAILABLE, never a made-up URL", async () => {
    const owner = await newOwner(h);
    stripe.failNext(400, "No such price: 'price_starter_monthly'");
    const error = await expectTrpcError(owner.client.trpc.billing.checkout.mutate({ plan: "starter" }));
    expect(error.data?.appCode).toBe("UNAVAILABLE");
    expect(error.data?.httpStatus).toBe(503);
    expect(error.message).toMatch(/couldn't reach our payment provider/);
  });

  it("overview shows the plan, the subscription state, usage against the quota and the billing history", async () => {
    const owner = await newOwner(h);
    const customer = stripeId("cus");
    const id = stripeId("sub");
    const sub = (extra: object) =>
      subscriptionObject({
        id,
        customer,
        accountId: owner.accountId,
        price: STRIPE_TEST_ENV.STRIPE_PRICE_STARTER,
        ...PERIOD,
        ...extra,
      });
    await deliver(h.url, stripeEvent("customer.subscription.created", sub({}), "2026-02-20T10:00:00Z"));
    const paidInvoice = stripeId("in");
    await deliver(
      h.url,
      stripeEvent(
        "invoice.paid",
        invoiceObject({
          id: paidInvoice,
          customer,
          subscription: id,
          accountId: owner.accountId,
          amountCents: 1900,
          status: "paid",
          paidAt: "2026-02-20T10:00:01Z",
          description: "1 × Starter (at $19.00 / month)",
        }),
        "2026-02-20T10:00:02Z",
      ),
    );
    const button = await owner.client.trpc.buttons.create.mutate(validButton());
    await h.db.db.insert(callSessions).values([
      {
        accountId: owner.accountId,
        buttonId: button.id,
        transport: "webrtc",
        status: "completed",
        startedAt: new Date("2026-02-22T15:00:00Z"),
        durationSeconds: 61,
      },
      {
        accountId: owner.accountId,
        buttonId: button.id,
        transport: "webrtc",
        status: "completed",
        startedAt: new Date("2026-02-23T15:00:00Z"),
        durationSeconds: 240,
      },
      // Before this period: not counted.
      {
        accountId: owner.accountId,
        buttonId: button.id,
        transport: "webrtc",
        status: "completed",
        startedAt: new Date("2026-02-10T15:00:00Z"),
        durationSeconds: 600,
      },
    ]);
    // Calls written straight into the log reach the usage total through the nightly check.
    await reconcileUsageTotals(h.ports);

    const overview = await owner.client.trpc.billing.overview.query();
    expect(overview).toMatchObject({
      stripeEnabled: true,
      note: null,
      plan: { id: "starter", name: "Starter", minutesPerMonth: 500, buttonsAllowed: 5 },
      subscription: {
        plan: "starter",
        status: "active",
        state: "active",
        cancelAtPeriodEnd: false,
        currentPeriodStart: new Date(PERIOD.periodStart),
        currentPeriodEnd: new Date(PERIOD.periodEnd),
        endsAt: null,
      },
      pastDue: false,
      usage: {
        periodStart: new Date(PERIOD.periodStart),
        periodEnd: new Date(PERIOD.periodEnd),
        calls: 2,
        minutesUsed: 6,
        minutesIncluded: 500,
        minutesLeft: 494,
        percentUsed: 1,
        buttonsEnabled: 1,
        buttonsAllowed: 5,
      },
      canManage: true,
      hasBillingAccount: true,
    });
    expect(overview.history).toEqual([
      {
        id: expect.any(String),
        date: new Date("2026-02-20T10:00:01Z"),
        amountCents: 1900,
        currency: "usd",
        status: "paid",
        description: "1 × Starter (at $19.00 / month)",
        invoiceUrl: `https://invoice.stripe.test/i/${paidInvoice}`,
      },
    ]);

    // Past due, then canceled at period end: the page can say both.
    await deliver(
      h.url,
      stripeEvent("customer.subscription.updated", sub({ status: "past_due" }), "2026-02-27T10:00:00Z"),
    );
    expect((await owner.client.trpc.billing.overview.query()).pastDue).toBe(true);
    await deliver(
      h.url,
      stripeEvent("customer.subscription.updated", sub({ cancelAtPeriodEnd: true }), "2026-02-28T10:00:00Z"),
    );
    const canceling = await owner.client.trpc.billing.overview.query();
    expect(canceling.subscription).toMatchObject({
      state: "canceling",
      cancelAtPeriodEnd: true,
      endsAt: new Date(PERIOD.periodEnd),
    });
    expect(canceling.pastDue).toBe(false);
    expect(canceling.plan.id).toBe("starter");

    // The Customer Portal's newer way of scheduling the end (cancel_at) reads the same.
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.updated",
        sub({ cancelAt: PERIOD.periodEnd }),
        "2026-02-28T11:00:00Z",
      ),
    );
    expect((await owner.client.trpc.billing.overview.query()).subscription?.state).toBe("canceling");
  });

  it("plans lists the plan table, marking the current plan and what can be bought", async () => {
    const owner = await newOwner(h);
    const table = await owner.client.trpc.billing.plans.query();
    expect(table.stripeEnabled).toBe(true);
    expect(table.currentPlan).toBe("free");
    expect(table.plans.map((p) => [p.id, p.current, p.purchasable])).toEqual([
      ["free", true, false],
      ["starter", false, true],
      ["pro", false, true],
    ]);
    expect(table.plans[1]).toMatchObject({
      name: "Starter",
      monthlyPriceCents: 1900,
      buttonsAllowed: 5,
      minutesPerMonth: 500,
      canRingPhone: true,
    });
  });

  it("only the owner can start Checkout or open the portal; agents can read", async () => {
    const owner = await newOwner(h);
    await h.db.db
      .update(accounts)
      .set({ stripeCustomerId: stripeId("cus") })
      .where(eq(accounts.id, owner.accountId));
    const agent = await loginAgent(h, owner.accountId);
    const before = stripe.requests.length;

    const checkout = await expectTrpcError(agent.client.trpc.billing.checkout.mutate({ plan: "pro" }));
    expect(checkout.data?.appCode).toBe("FORBIDDEN");
    const portal = await expectTrpcError(agent.client.trpc.billing.portal.mutate());
    expect(portal.data?.appCode).toBe("FORBIDDEN");
    expect(stripe.requests.length).toBe(before);

    const overview = await agent.client.trpc.billing.overview.query();
    expect(overview.canManage).toBe(false);
    expect(overview.plan.id).toBe("free");
    expect((await agent.client.trpc.billing.plans.query()).currentPlan).toBe("free");
  });

  it("every billing procedure refuses an anonymous caller", async () => {
    const anonymous = h.client();
    const before = stripe.requests.length;
    for (const call of [
      () => anonymous.trpc.billing.overview.query(),
      () => anonymous.trpc.billing.plans.query(),
      () => anonymous.trpc.billing.checkout.mutate({ plan: "starter" }),
      () => anonymous.trpc.billing.portal.mutate(),
    ]) {
      const error = await expectTrpcError(call());
      expect(error.data?.appCode).toBe("UNAUTHENTICATED");
      expect(error.data?.httpStatus).toBe(401);
    }
    expect(stripe.requests.length).toBe(before);
  });

  it("billing changes need the portal's Origin and JSON (CSRF), like every mutation", async () => {
    const owner = await newOwner(h);
    const cookie = [...owner.client.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const before = stripe.requests.length;
    const foreign = await rawTrpc(h, "billing.checkout", {
      input: { plan: "starter" },
      headers: { cookie, origin: "https://evil.test" },
    });
    expect(foreign.status).toBe(403);
    const form = await rawTrpc(h, "billing.portal", {
      rawBody: "{}",
      headers: { cookie, "content-type": "text/plain" },
    });
    expect(form.status).toBe(415);
    expect(stripe.requests.length).toBe(before);
  });

  it("another account sees none of this account's billing and cannot use its Stripe customer", async () => {
    const a = await newOwner(h);
    const b = await newOwner(h);
    const customerA = stripeId("cus");
    const subA = stripeId("sub");
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.created",
        subscriptionObject({
          id: subA,
          customer: customerA,
          accountId: a.accountId,
          price: STRIPE_TEST_ENV.STRIPE_PRICE_PRO,
          ...PERIOD,
        }),
        "2026-02-20T10:00:00Z",
      ),
    );
    await deliver(
      h.url,
      stripeEvent(
        "invoice.paid",
        invoiceObject({
          customer: customerA,
          subscription: subA,
          accountId: a.accountId,
          amountCents: 7900,
          status: "paid",
          paidAt: "2026-02-20T10:00:01Z",
        }),
        "2026-02-20T10:00:02Z",
      ),
    );
    expect((await a.client.trpc.billing.overview.query()).history).toHaveLength(1);

    const seenByB = await b.client.trpc.billing.overview.query();
    expect(seenByB.plan.id).toBe("free");
    expect(seenByB.subscription).toBeNull();
    expect(seenByB.history).toEqual([]);
    expect(seenByB.hasBillingAccount).toBe(false);
    expect(JSON.stringify(seenByB)).not.toContain(customerA);

    const portal = await expectTrpcError(b.client.trpc.billing.portal.mutate());
    expect(portal.data?.appCode).toBe("CONFLICT");
    await b.client.trpc.billing.checkout.mutate({ plan: "pro" });
    const sent = stripe.requests.at(-1)!;
    expect(sent.form.client_reference_id).toBe(b.accountId);
    expect(sent.form.customer_email).toBe(b.email);
    expect(sent.form.customer).toBeUndefined();
    // A's rows are untouched.
    expect(
      await h.db.db.select().from(billingRecords).where(eq(billingRecords.accountId, b.accountId)),
    ).toEqual([]);
  });
});

describe("billing procedures with Stripe off (no STRIPE_SECRET_KEY)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PUBLIC_URL } });
  });
  afterAll(() => h.close());

  it("overview says so plainly and shows the Free plan's limits", async () => {
    const owner = await newOwner(h);
    const overview = await owner.client.trpc.billing.overview.query();
    expect(overview.stripeEnabled).toBe(false);
    expect(overview.note).toMatch(/Payments are not set up on this server/);
    expect(overview.note).toMatch(/Free plan's limits apply/);
    expect(overview.plan).toMatchObject({ id: "free", buttonsAllowed: 1, minutesPerMonth: 60 });
    expect(overview.usage).toMatchObject({ minutesIncluded: 60, minutesUsed: 0, calls: 0 });
    expect(overview.usage.periodStart).toEqual(new Date("2026-03-01T00:00:00Z"));
    expect(overview.usage.periodEnd).toEqual(new Date("2026-04-01T00:00:00Z"));
    expect(overview.subscription).toBeNull();
    expect(overview.canManage).toBe(false);
    const info = await owner.client.trpc.system.info.query();
    expect(info.modes.billing).toMatch(/^off/);
  });

  it("plans shows the table with nothing to buy", async () => {
    const owner = await newOwner(h);
    const table = await owner.client.trpc.billing.plans.query();
    expect(table.stripeEnabled).toBe(false);
    expect(table.plans.every((p) => !p.purchasable)).toBe(true);
  });

  it("checkout and portal refuse with a clear message, not a 500", async () => {
    const owner = await newOwner(h);
    for (const call of [
      () => owner.client.trpc.billing.checkout.mutate({ plan: "pro" }),
      () => owner.client.trpc.billing.portal.mutate(),
    ]) {
      const error = await expectTrpcError(call());
      expect(error.data?.appCode).toBe("UNAVAILABLE");
      expect(error.data?.httpStatus).toBe(503);
      expect(error.message).toMatch(/Payments are not set up on this server/);
    }
  });

  it("checkout refuses an unknown plan with a field message", async () => {
    const owner = await newOwner(h);
    const error = await expectTrpcError(
      owner.client.trpc.billing.checkout.mutate({ plan: "free" as unknown as "pro" }),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.plan?.[0]).toBe("Choose the Starter or Pro plan.");
  });
});
