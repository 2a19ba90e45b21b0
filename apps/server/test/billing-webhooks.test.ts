/**
 * POST /webhooks/stripe: real signatures (Stripe's generateTestHeaderString, checked by
 * constructEvent on the raw body), idempotency, ordering, downgrades and quotas.
 */

import { allowedCallSeconds, getUsage, reconcileUsageTotals } from "@cac/core";
import {
  accounts,
  billingRecords,
  buttons,
  callSessions,
  processedWebhookEvents,
  subscriptions,
} from "@cac/db";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";
import {
  checkoutSessionObject,
  deliver,
  invoiceObject,
  STRIPE_TEST_ENV,
  signPayload,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from "./stripe-stand-in";

const PUBLIC_URL = "http://portal.localhost:4100";
const STARTER = STRIPE_TEST_ENV.STRIPE_PRICE_STARTER;
const PRO = STRIPE_TEST_ENV.STRIPE_PRICE_PRO;
// The harness clock reads 2026-03-01T12:00Z, inside this billing period.
const PERIOD = { periodStart: "2026-02-20T10:00:00Z", periodEnd: "2026-03-20T10:00:00Z" };

async function newOwner(h: Harness) {
  const owner = await signupVerified(h);
  const me = await owner.client.trpc.account.me.query();
  return { ...owner, accountId: me!.account.id };
}

async function accountRow(h: Harness, accountId: string) {
  const [row] = await h.db.db.select().from(accounts).where(eq(accounts.id, accountId));
  return row!;
}

async function subscriptionRow(h: Harness, accountId: string) {
  const [row] = await h.db.db.select().from(subscriptions).where(eq(subscriptions.accountId, accountId));
  return row;
}

async function recordsOf(h: Harness, accountId: string) {
  return h.db.db.select().from(billingRecords).where(eq(billingRecords.accountId, accountId));
}

/** Everything a webhook can write, for "nothing changed" assertions. */
async function snapshot(h: Harness) {
  const [events, subs, records, accts, btns] = await Promise.all([
    h.db.db.select().from(processedWebhookEvents).orderBy(asc(processedWebhookEvents.id)),
    h.db.db.select().from(subscriptions).orderBy(asc(subscriptions.id)),
    h.db.db.select().from(billingRecords).orderBy(asc(billingRecords.id)),
    h.db.db.select().from(accounts).orderBy(asc(accounts.id)),
    h.db.db.select().from(buttons).orderBy(asc(buttons.id)),
  ]);
  return { events, subs, records, accts, btns, outbox: (await h.outbox()).length };
}

describe("Stripe webhooks: every handled event, signed like Stripe signs it", () => {
  let h: Harness;
  let owner: Awaited<ReturnType<typeof newOwner>>;
  const customer = stripeId("cus");
  const subscriptionId = stripeId("sub");
  const invoiceId = stripeId("in");
  beforeAll(async () => {
    h = await startHarness({ env: { ...STRIPE_TEST_ENV, PUBLIC_URL } });
    owner = await newOwner(h);
  });
  afterAll(() => h.close());

  it("checkout.session.completed links the Stripe customer and subscription, without granting the plan yet", async () => {
    const session = checkoutSessionObject({
      accountId: owner.accountId,
      customer,
      subscription: subscriptionId,
      plan: "starter",
    });
    const res = await deliver(
      h.url,
      stripeEvent("checkout.session.completed", session, "2026-02-20T10:00:05Z"),
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ received: true, result: "processed" });

    const account = await accountRow(h, owner.accountId);
    expect(account.stripeCustomerId).toBe(customer);
    expect(account.plan).toBe("free");
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({
      stripeSubscriptionId: subscriptionId,
      stripeCustomerId: customer,
      plan: "starter",
      status: "incomplete",
      lastEventAt: null,
    });
  });

  it("customer.subscription.created sets the plan, status and current period (read from the items)", async () => {
    const sub = subscriptionObject({
      id: subscriptionId,
      customer,
      accountId: owner.accountId,
      price: STARTER,
      ...PERIOD,
    });
    const res = await deliver(
      h.url,
      stripeEvent("customer.subscription.created", sub, "2026-02-20T10:00:02Z"),
    );
    expect(res.status).toBe(200);
    expect(res.json?.result).toBe("processed");

    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({
      stripeSubscriptionId: subscriptionId,
      stripeCustomerId: customer,
      plan: "starter",
      status: "active",
      cancelAtPeriodEnd: false,
      currentPeriodStart: new Date(PERIOD.periodStart),
      currentPeriodEnd: new Date(PERIOD.periodEnd),
      lastEventAt: new Date("2026-02-20T10:00:02Z"),
    });
    expect((await accountRow(h, owner.accountId)).plan).toBe("starter");
    // The quota now follows the subscription: its plan and its period.
    const usage = await getUsage(h.ports, owner.accountId);
    expect(usage.plan.id).toBe("starter");
    expect(usage.periodStart).toEqual(new Date(PERIOD.periodStart));
    expect(usage.periodEnd).toEqual(new Date(PERIOD.periodEnd));
  });

  it("invoice.paid writes a billing record: amount, date, status and invoice link", async () => {
    const invoice = invoiceObject({
      id: invoiceId,
      customer,
      subscription: subscriptionId,
      accountId: owner.accountId,
      amountCents: 1900,
      status: "paid",
      paidAt: "2026-02-20T10:00:03Z",
      description: "1 × Starter (at $19.00 / month)",
    });
    const res = await deliver(h.url, stripeEvent("invoice.paid", invoice, "2026-02-20T10:00:04Z"));
    expect(res.status).toBe(200);
    const records = await recordsOf(h, owner.accountId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      stripeInvoiceId: invoiceId,
      amountCents: 1900,
      currency: "usd",
      status: "paid",
      description: "1 × Starter (at $19.00 / month)",
      invoiceUrl: `https://invoice.stripe.test/i/${invoiceId}`,
      occurredAt: new Date("2026-02-20T10:00:03Z"),
    });
  });

  it("customer.subscription.updated applies a plan change made in the Customer Portal", async () => {
    const sub = subscriptionObject({
      id: subscriptionId,
      customer,
      accountId: owner.accountId,
      price: PRO,
      ...PERIOD,
    });
    const res = await deliver(
      h.url,
      stripeEvent("customer.subscription.updated", sub, "2026-02-25T09:00:00Z"),
    );
    expect(res.status).toBe(200);
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({ plan: "pro", status: "active" });
    expect((await accountRow(h, owner.accountId)).plan).toBe("pro");
  });

  it("invoice.payment_failed writes a failed billing record and emails the owner", async () => {
    const failedId = stripeId("in");
    const invoice = invoiceObject({
      id: failedId,
      customer,
      subscription: subscriptionId,
      accountId: owner.accountId,
      amountCents: 7900,
      status: "open",
      nextPaymentAttempt: "2026-03-04T10:00:00Z",
    });
    const res = await deliver(h.url, stripeEvent("invoice.payment_failed", invoice, "2026-02-28T10:00:00Z"));
    expect(res.status).toBe(200);
    const [record] = (await recordsOf(h, owner.accountId)).filter((r) => r.stripeInvoiceId === failedId);
    expect(record).toMatchObject({
      amountCents: 7900,
      status: "failed",
      occurredAt: new Date("2026-02-28T10:00:00Z"),
    });

    const mail = (await h.outbox(owner.email)).findLast((m) => /payment/i.test(m.subject));
    expect(mail?.subject).toBe("Your Click & Call payment didn't go through");
    expect(mail?.text).toContain("$79.00");
    expect(mail?.text).toContain("Pro plan");
    expect(mail?.text).toContain("March 4, 2026");
    expect(mail?.text).toContain(`${PUBLIC_URL}/billing`);
    expect(mail?.text).toContain(`https://invoice.stripe.test/i/${failedId}`);

    // Stripe then marks the subscription past due: the paid plan stays while it retries.
    const pastDue = subscriptionObject({
      id: subscriptionId,
      customer,
      accountId: owner.accountId,
      price: PRO,
      status: "past_due",
      ...PERIOD,
    });
    await deliver(h.url, stripeEvent("customer.subscription.updated", pastDue, "2026-02-28T10:00:01Z"));
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({ status: "past_due", plan: "pro" });
    expect((await accountRow(h, owner.accountId)).plan).toBe("pro");

    // The retry succeeds: the same invoice's record becomes paid.
    const paid = invoiceObject({
      ...{ id: failedId, customer, subscription: subscriptionId, accountId: owner.accountId },
      amountCents: 7900,
      status: "paid",
      paidAt: "2026-03-01T08:00:00Z",
    });
    await deliver(h.url, stripeEvent("invoice.paid", paid, "2026-03-01T08:00:00Z"));
    const [after] = (await recordsOf(h, owner.accountId)).filter((r) => r.stripeInvoiceId === failedId);
    expect(after).toMatchObject({
      status: "paid",
      amountCents: 7900,
      occurredAt: new Date("2026-03-01T08:00:00Z"),
    });
    // A failure delivered late (its own event id) never turns a paid invoice back to failed, nor emails.
    const paymentMails = async () =>
      (await h.outbox(owner.email)).filter((m) => /payment/i.test(m.subject)).length;
    const mailsBefore = await paymentMails();
    const late = await deliver(h.url, stripeEvent("invoice.payment_failed", invoice, "2026-02-28T10:00:00Z"));
    expect(late.json?.result).toBe("processed");
    const [still] = (await recordsOf(h, owner.accountId)).filter((r) => r.stripeInvoiceId === failedId);
    expect(still!.status).toBe("paid");
    expect(await paymentMails()).toBe(mailsBefore);
  });

  it("cancel at period end keeps the paid plan; customer.subscription.deleted moves the account to Free", async () => {
    const canceling = subscriptionObject({
      id: subscriptionId,
      customer,
      accountId: owner.accountId,
      price: PRO,
      cancelAtPeriodEnd: true,
      ...PERIOD,
    });
    await deliver(h.url, stripeEvent("customer.subscription.updated", canceling, "2026-03-01T09:00:00Z"));
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({
      status: "active",
      cancelAtPeriodEnd: true,
      plan: "pro",
    });
    expect((await accountRow(h, owner.accountId)).plan).toBe("pro");
    const mailsBefore = (await h.outbox(owner.email)).length;

    const ended = subscriptionObject({
      id: subscriptionId,
      customer,
      accountId: owner.accountId,
      price: PRO,
      status: "canceled",
      ...PERIOD,
    });
    const res = await deliver(
      h.url,
      stripeEvent("customer.subscription.deleted", ended, "2026-03-20T10:00:01Z"),
    );
    expect(res.status).toBe(200);
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({
      status: "canceled",
      cancelAtPeriodEnd: false,
      plan: "pro",
    });
    expect((await accountRow(h, owner.accountId)).plan).toBe("free");
    const mails = await h.outbox(owner.email);
    expect(mails.length).toBe(mailsBefore + 1);
    expect(mails.at(-1)!.subject).toBe("Your Click & Call account is now on the Free plan");
    expect(mails.at(-1)!.text).toContain("Your Pro subscription has ended");
  });

  it("an unknown event type is acknowledged with 200 and writes nothing", async () => {
    const before = await snapshot(h);
    const res = await deliver(
      h.url,
      stripeEvent("customer.created", { id: stripeId("cus"), object: "customer" }, "2026-03-01T10:00:00Z"),
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ received: true, result: "ignored" });
    expect(await snapshot(h)).toEqual(before);
  });

  it("an event for no account of ours is acknowledged and writes nothing", async () => {
    const before = await snapshot(h);
    const stranger = subscriptionObject({
      customer: stripeId("cus"),
      accountId: "00000000-0000-4000-8000-000000000000",
      price: PRO,
      ...PERIOD,
    });
    const res = await deliver(
      h.url,
      stripeEvent("customer.subscription.created", stranger, "2026-03-01T10:00:00Z"),
    );
    expect(res.status).toBe(200);
    expect(res.json?.result).toBe("unmatched");
    expect(await snapshot(h)).toEqual(before);
  });

  it("reads the current period from the subscription itself on older API versions", async () => {
    const other = await newOwner(h);
    const sub = subscriptionObject({
      customer: stripeId("cus"),
      accountId: other.accountId,
      price: STARTER,
      legacyPeriod: true,
      ...PERIOD,
    });
    await deliver(h.url, stripeEvent("customer.subscription.created", sub, "2026-02-20T10:00:00Z"));
    expect(await subscriptionRow(h, other.accountId)).toMatchObject({
      plan: "starter",
      currentPeriodStart: new Date(PERIOD.periodStart),
      currentPeriodEnd: new Date(PERIOD.periodEnd),
    });
  });

  it("finds the account by customer id when the subscription carries no metadata", async () => {
    const other = await newOwner(h);
    const cus = stripeId("cus");
    await h.db.db.update(accounts).set({ stripeCustomerId: cus }).where(eq(accounts.id, other.accountId));
    const sub = subscriptionObject({ customer: cus, price: PRO, status: "trialing", ...PERIOD });
    await deliver(h.url, stripeEvent("customer.subscription.created", sub, "2026-02-20T10:00:00Z"));
    expect(await subscriptionRow(h, other.accountId)).toMatchObject({ plan: "pro", status: "trialing" });
    expect((await accountRow(h, other.accountId)).plan).toBe("pro");
  });
});

describe("Stripe webhooks: signatures, duplicates and ordering", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...STRIPE_TEST_ENV, PUBLIC_URL } });
  });
  afterAll(() => h.close());

  it("a bad, missing or stale signature gets 400 and nothing is written", async () => {
    const owner = await newOwner(h);
    const sub = subscriptionObject({
      customer: stripeId("cus"),
      accountId: owner.accountId,
      price: PRO,
      ...PERIOD,
    });
    const event = stripeEvent("customer.subscription.created", sub, "2026-02-20T10:00:00Z");
    const before = await snapshot(h);

    const wrongSecret = await deliver(h.url, event, { secret: "whsec_someoneelse" });
    expect(wrongSecret.status).toBe(400);
    const payload = JSON.stringify(event);
    const tampered = await fetch(`${h.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": signPayload(payload) },
      // Same JSON, re-serialized with different whitespace: the signature covers the raw bytes.
      body: JSON.stringify(event, null, 2),
    });
    expect(tampered.status).toBe(400);
    const missing = await fetch(`${h.url}/webhooks/stripe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: payload,
    });
    expect(missing.status).toBe(400);
    const old = await deliver(h.url, event, {
      signature: (await import("stripe")).default.webhooks.generateTestHeaderString({
        payload,
        secret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET,
        timestamp: Math.floor(Date.now() / 1000) - 3600,
      }),
    });
    expect(old.status).toBe(400);

    expect(await snapshot(h)).toEqual(before);
    expect((await accountRow(h, owner.accountId)).plan).toBe("free");
    // The same event, signed properly, is applied.
    expect((await deliver(h.url, event)).status).toBe(200);
    expect((await accountRow(h, owner.accountId)).plan).toBe("pro");
  });

  it("a duplicate delivery answers 200 and changes nothing (no second record, no second email)", async () => {
    const owner = await newOwner(h);
    const customer = stripeId("cus");
    const subscription = stripeId("sub");
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.created",
        subscriptionObject({
          id: subscription,
          customer,
          accountId: owner.accountId,
          price: STARTER,
          ...PERIOD,
        }),
        "2026-02-20T10:00:00Z",
      ),
    );
    const failed = stripeEvent(
      "invoice.payment_failed",
      invoiceObject({
        customer,
        subscription,
        accountId: owner.accountId,
        amountCents: 1900,
        status: "open",
        nextPaymentAttempt: "2026-03-03T00:00:00Z",
      }),
      "2026-02-27T10:00:00Z",
    );
    const first = await deliver(h.url, failed);
    expect(first.json?.result).toBe("processed");
    const afterFirst = await snapshot(h);

    const second = await deliver(h.url, failed);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ received: true, result: "duplicate" });
    expect(await snapshot(h)).toEqual(afterFirst);
    expect(await recordsOf(h, owner.accountId)).toHaveLength(1);
    expect((await h.outbox(owner.email)).filter((m) => /payment/i.test(m.subject))).toHaveLength(1);

    // Concurrent duplicates: exactly one applies.
    const downgrade = stripeEvent(
      "customer.subscription.deleted",
      subscriptionObject({
        id: subscription,
        customer,
        accountId: owner.accountId,
        price: STARTER,
        status: "canceled",
        ...PERIOD,
      }),
      "2026-03-20T10:00:00Z",
    );
    const results = await Promise.all([
      deliver(h.url, downgrade),
      deliver(h.url, downgrade),
      deliver(h.url, downgrade),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(results.map((r) => r.json?.result).sort()).toEqual(["duplicate", "duplicate", "processed"]);
    expect((await h.outbox(owner.email)).filter((m) => /now on the Free plan/.test(m.subject))).toHaveLength(
      1,
    );
  });

  it("customer.subscription.updated delivered before created leaves the newer state", async () => {
    const owner = await newOwner(h);
    const customer = stripeId("cus");
    const id = stripeId("sub");
    const created = stripeEvent(
      "customer.subscription.created",
      subscriptionObject({
        id,
        customer,
        accountId: owner.accountId,
        price: STARTER,
        status: "incomplete",
        ...PERIOD,
      }),
      "2026-02-20T10:00:00Z",
    );
    const updated = stripeEvent(
      "customer.subscription.updated",
      subscriptionObject({
        id,
        customer,
        accountId: owner.accountId,
        price: PRO,
        status: "active",
        ...PERIOD,
      }),
      "2026-02-20T10:00:07Z",
    );
    expect((await deliver(h.url, updated)).json?.result).toBe("processed");
    const late = await deliver(h.url, created);
    expect(late.status).toBe(200);
    expect(late.json?.result).toBe("stale");

    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({
      stripeSubscriptionId: id,
      plan: "pro",
      status: "active",
      lastEventAt: new Date("2026-02-20T10:00:07Z"),
    });
    expect((await accountRow(h, owner.accountId)).plan).toBe("pro");
    // The late event is recorded as processed, so its redelivery is a plain duplicate.
    expect((await deliver(h.url, created)).json?.result).toBe("duplicate");
  });

  it("within the same second, created arriving after updated is still the older one", async () => {
    const owner = await newOwner(h);
    const customer = stripeId("cus");
    const id = stripeId("sub");
    const at = "2026-02-20T10:00:00Z";
    const created = stripeEvent(
      "customer.subscription.created",
      subscriptionObject({
        id,
        customer,
        accountId: owner.accountId,
        price: STARTER,
        status: "incomplete",
        ...PERIOD,
      }),
      at,
    );
    const updated = stripeEvent(
      "customer.subscription.updated",
      subscriptionObject({
        id,
        customer,
        accountId: owner.accountId,
        price: STARTER,
        status: "active",
        ...PERIOD,
      }),
      at,
    );
    await deliver(h.url, updated);
    await deliver(h.url, created);
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({ status: "active", plan: "starter" });
    expect((await accountRow(h, owner.accountId)).plan).toBe("starter");
  });

  it("an older subscription's end does not cancel the newer subscription that replaced it", async () => {
    const owner = await newOwner(h);
    const customer = stripeId("cus");
    const oldSub = stripeId("sub");
    const newSub = stripeId("sub");
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.created",
        subscriptionObject({ id: newSub, customer, accountId: owner.accountId, price: PRO, ...PERIOD }),
        "2026-02-20T10:00:00Z",
      ),
    );
    const res = await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.deleted",
        subscriptionObject({
          id: oldSub,
          customer,
          accountId: owner.accountId,
          price: STARTER,
          status: "canceled",
          ...PERIOD,
        }),
        "2026-02-21T10:00:00Z",
      ),
    );
    expect(res.json?.result).toBe("stale");
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({
      stripeSubscriptionId: newSub,
      status: "active",
      plan: "pro",
    });
    expect((await accountRow(h, owner.accountId)).plan).toBe("pro");
  });
});

describe("downgrades and quotas follow the subscription", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { ...STRIPE_TEST_ENV, PUBLIC_URL } });
  });
  afterAll(() => h.close());

  async function subscribe(accountId: string, price: string) {
    const customer = stripeId("cus");
    const id = stripeId("sub");
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.created",
        subscriptionObject({ id, customer, accountId, price, ...PERIOD }),
        "2026-02-20T10:00:00Z",
      ),
    );
    return { customer, id };
  }

  it("a downgrade to Free turns off the newest buttons over the limit (not deleted) and emails the owner", async () => {
    const owner = await newOwner(h);
    const sub = await subscribe(owner.accountId, PRO);
    const names = ["Oldest", "Middle", "Newest"];
    const created = [];
    for (const name of names)
      created.push(await owner.client.trpc.buttons.create.mutate(validButton({ name })));
    const disabledAlready = await owner.client.trpc.buttons.create.mutate(
      validButton({ name: "Was off", enabled: false }),
    );

    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.deleted",
        subscriptionObject({ ...sub, accountId: owner.accountId, price: PRO, status: "canceled", ...PERIOD }),
        "2026-03-20T10:00:00Z",
      ),
    );
    expect((await accountRow(h, owner.accountId)).plan).toBe("free");
    const rows = await h.db.db.select().from(buttons).where(eq(buttons.accountId, owner.accountId));
    expect(rows).toHaveLength(4);
    const byName = Object.fromEntries(rows.map((b) => [b.name, b]));
    expect(byName.Oldest).toMatchObject({ enabled: true, disabledReason: null });
    for (const name of ["Middle", "Newest"]) {
      expect(byName[name]).toMatchObject({ enabled: false });
      expect(byName[name]!.disabledReason).toMatch(/Free plan allows 1 active button/);
    }
    expect(byName["Was off"]).toMatchObject({ enabled: false, disabledReason: null });
    expect(created).toHaveLength(3);
    expect(disabledAlready.enabled).toBe(false);

    const mail = (await h.outbox(owner.email)).at(-1)!;
    expect(mail.subject).toBe("Your Click & Call account is now on the Free plan");
    expect(mail.text).toContain('"Newest", "Middle"');
    expect(mail.text).toContain(`${PUBLIC_URL}/billing`);

    // The owner can still not enable a second one on Free.
    const refused = await expectTrpcError(
      owner.client.trpc.buttons.setEnabled.mutate({ id: byName.Newest!.id, enabled: true }),
    );
    expect(refused.data?.appCode).toBe("PLAN_LIMIT");
  });

  it("a plan change from Pro to Starter keeps up to five buttons on", async () => {
    const owner = await newOwner(h);
    const sub = await subscribe(owner.accountId, PRO);
    for (let i = 1; i <= 6; i++)
      await owner.client.trpc.buttons.create.mutate(validButton({ name: `Button ${i}` }));
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.updated",
        subscriptionObject({ ...sub, accountId: owner.accountId, price: STARTER, ...PERIOD }),
        "2026-02-25T10:00:00Z",
      ),
    );
    expect((await accountRow(h, owner.accountId)).plan).toBe("starter");
    const rows = await h.db.db.select().from(buttons).where(eq(buttons.accountId, owner.accountId));
    expect(
      rows
        .filter((b) => b.enabled)
        .map((b) => b.name)
        .sort(),
    ).toEqual(["Button 1", "Button 2", "Button 3", "Button 4", "Button 5"]);
    const mail = (await h.outbox(owner.email)).at(-1)!;
    expect(mail.subject).toBe("Your Click & Call account is now on the Starter plan");
    expect(mail.text).toContain("moved from the Pro plan to the Starter plan");
    expect(mail.text).toContain('"Button 6"');
  });

  it("an unpaid subscription (retries exhausted) loses the paid plan; the owner is told it moved to Free", async () => {
    const owner = await newOwner(h);
    const sub = await subscribe(owner.accountId, STARTER);
    expect((await accountRow(h, owner.accountId)).plan).toBe("starter");
    await deliver(
      h.url,
      stripeEvent(
        "customer.subscription.updated",
        subscriptionObject({
          ...sub,
          accountId: owner.accountId,
          price: STARTER,
          status: "unpaid",
          ...PERIOD,
        }),
        "2026-03-10T10:00:00Z",
      ),
    );
    expect(await subscriptionRow(h, owner.accountId)).toMatchObject({ status: "unpaid", plan: "starter" });
    expect((await accountRow(h, owner.accountId)).plan).toBe("free");
    const mail = (await h.outbox(owner.email)).at(-1)!;
    expect(mail.subject).toBe("Your Click & Call account is now on the Free plan");
    expect(mail.text).toContain("moved from the Starter plan to the Free plan");
  });

  it("at the quota of the subscription's plan and period, calls.start refuses with OVER_QUOTA", async () => {
    const owner = await newOwner(h);
    await subscribe(owner.accountId, STARTER);
    const button = await owner.client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    const call = (startedAt: string, minutes: number) =>
      h.db.db.insert(callSessions).values({
        accountId: owner.accountId,
        buttonId: button.id,
        transport: "webrtc",
        status: "completed",
        startedAt: new Date(startedAt),
        durationSeconds: minutes * 60,
      });
    // Before the subscription's period (Feb 20): not counted. Inside it: 499 of Starter's 500 minutes.
    await call("2026-02-19T10:00:00Z", 600);
    await call("2026-02-21T10:00:00Z", 499);
    // Calls written straight into the log reach the usage total through the nightly check.
    await reconcileUsageTotals(h.ports);
    const visitor = () => h.client({ origin: "https://shop.test", ip: uniqueIp() });

    let usage = await getUsage(h.ports, owner.accountId);
    expect(usage).toMatchObject({ minutesUsed: 499, minutesLeft: 1, calls: 1 });
    // The call length allowed (Twilio's timeLimit) is the minutes left, under the plan's maximum.
    expect(allowedCallSeconds(usage)).toBe(60);
    // Under the quota the call gets past the quota check (and stops later: nobody is answering).
    const notYet = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: button.publicId }));
    expect(notYet.data?.appCode).toBe("NO_AGENT_AVAILABLE");

    await call("2026-02-28T10:00:00Z", 1);
    await reconcileUsageTotals(h.ports);
    usage = await getUsage(h.ports, owner.accountId);
    expect(usage.minutesLeft).toBe(0);
    expect(allowedCallSeconds(usage)).toBe(0);
    const refused = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: button.publicId }));
    expect(refused.data?.appCode).toBe("OVER_QUOTA");
    expect(refused.data?.httpStatus).toBe(402);
  });

  it("deleting an account keeps its billing records, with the account link set to null", async () => {
    const owner = await newOwner(h);
    const sub = await subscribe(owner.accountId, STARTER);
    const invoiceId = stripeId("in");
    await deliver(
      h.url,
      stripeEvent(
        "invoice.paid",
        invoiceObject({
          id: invoiceId,
          customer: sub.customer,
          subscription: sub.id,
          accountId: owner.accountId,
          amountCents: 1900,
          status: "paid",
          paidAt: "2026-02-20T10:00:01Z",
        }),
        "2026-02-20T10:00:02Z",
      ),
    );
    expect(await recordsOf(h, owner.accountId)).toHaveLength(1);

    await h.db.db.delete(accounts).where(eq(accounts.id, owner.accountId));
    const [kept] = await h.db.db
      .select()
      .from(billingRecords)
      .where(eq(billingRecords.stripeInvoiceId, invoiceId));
    expect(kept).toMatchObject({ accountId: null, amountCents: 1900, status: "paid", currency: "usd" });
    expect(await subscriptionRow(h, owner.accountId)).toBeUndefined();
  });
});

describe("Stripe webhooks when billing is off", () => {
  let h: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    owner = (await signupVerified(h)).client;
  });
  afterAll(() => h.close());

  it("answers 404 and writes nothing", async () => {
    const me = await owner.trpc.account.me.query();
    const before = await snapshot(h);
    const sub = subscriptionObject({
      customer: stripeId("cus"),
      accountId: me!.account.id,
      price: PRO,
      ...PERIOD,
    });
    const res = await deliver(
      h.url,
      stripeEvent("customer.subscription.created", sub, "2026-02-20T10:00:00Z"),
    );
    expect(res.status).toBe(404);
    expect(await snapshot(h)).toEqual(before);
  });
});
