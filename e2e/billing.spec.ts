import { reconcileUsageTotals } from "@cac/core";
import { accounts, billingRecords, callSessions, subscriptions } from "@cac/db";
import type { Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { type StripeStandIn, startStripeStandIn } from "../apps/server/test/stripe-stand-in";
import { expectNoSeriousA11yViolations } from "./a11y";
import { type E2eServer, expect, signUpConfirmedUser, test } from "./fixtures";
import { accountIdOf } from "./seed";
import { snap } from "./shots";

// Seeding and axe take a while on a busy machine.
test.describe.configure({ timeout: 180_000 });

const DAY = 24 * 60 * 60 * 1000;

/** Three calls this period: 65 s, 120 s and 30 s, billed as 2 + 2 + 1 = 5 minutes. */
async function seedUsage(server: E2eServer, accountId: string) {
  const now = Date.now();
  await server.db.insert(callSessions).values(
    [65, 120, 30].map((duration, i) => {
      const startedAt = new Date(now - (i + 1) * 60_000 - duration * 1000);
      return {
        accountId,
        transport: "webrtc" as const,
        status: "completed" as const,
        visitorIp: `203.0.113.${i + 1}`,
        startedAt,
        answeredAt: startedAt,
        endedAt: new Date(startedAt.getTime() + duration * 1000),
        durationSeconds: duration,
      };
    }),
  );
  // Calls written straight to the log reach the account's running total as the daily check
  // brings it in line (the product's own ends update it as they happen).
  const quiet = { warn() {}, info() {}, error() {}, debug() {} };
  await reconcileUsageTotals({ db: server.db, clock: { now: () => new Date() }, log: quiet as never });
}

async function seedHistory(server: E2eServer, accountId: string) {
  const now = Date.now();
  await server.db.insert(billingRecords).values([
    {
      accountId,
      stripeInvoiceId: `in_paid_${accountId.slice(0, 8)}`,
      amountCents: 1900,
      currency: "usd",
      status: "paid",
      description: "Starter plan",
      invoiceUrl: "https://invoice.stripe.test/i/paid",
      occurredAt: new Date(now - 40 * DAY),
    },
    {
      accountId,
      stripeInvoiceId: `in_failed_${accountId.slice(0, 8)}`,
      amountCents: 7900,
      currency: "usd",
      status: "failed",
      description: "Pro plan",
      invoiceUrl: "https://invoice.stripe.test/i/failed",
      occurredAt: new Date(now - 10 * DAY),
    },
  ]);
}

async function openBilling(page: Page) {
  await page.goto("/billing");
  await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
}

test("without Stripe: the plan, the usage bar and the billing history, read-only", async ({
  page,
  server,
}, testInfo) => {
  const { email } = await signUpConfirmedUser(page, server);
  const accountId = await accountIdOf(server, email);
  await seedUsage(server, accountId);
  await seedHistory(server, accountId);

  await openBilling(page);
  await expect(
    page.getByText("Billing is not set up on this server: every account has the Free plan's limits."),
  ).toBeVisible();

  const plan = page.getByRole("region", { name: "Your plan" });
  await expect(plan.getByText("Free", { exact: true })).toBeVisible();
  await expect(plan.getByText("No subscription", { exact: true })).toBeVisible();

  const usage = page.getByRole("region", { name: "Usage this period" });
  const minutes = usage.getByRole("progressbar", { name: "Minutes" });
  await expect(minutes).toHaveAttribute("aria-valuenow", "5");
  await expect(minutes).toHaveAttribute("aria-valuemax", "60");
  await expect(minutes).toHaveAttribute("aria-valuetext", "5 of 60 minutes used");
  await expect(usage.getByText("5 of 60 min")).toBeVisible();
  await expect(
    usage.locator("dt", { hasText: "Calls" }).locator("xpath=following-sibling::dd[1]"),
  ).toHaveText("3");

  // The plans are listed, without anything to buy.
  const plans = page.getByRole("region", { name: "Plans" });
  await expect(plans.getByRole("heading", { level: 3 })).toHaveText(["Free", "Starter", "Pro"]);
  await expect(plans.getByText("Current plan")).toHaveCount(1);
  await expect(plans.getByRole("button")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Manage billing" })).toHaveCount(0);

  const history = page.getByRole("region", { name: "Billing history" }).getByRole("table");
  const rows = history.locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText("Pro plan");
  await expect(rows.nth(0)).toContainText("$79.00");
  await expect(rows.nth(0)).toContainText("Payment failed");
  await expect(rows.nth(1)).toContainText("$19.00");
  await expect(rows.nth(1)).toContainText("Paid");
  await expect(rows.nth(1).getByRole("link", { name: /View invoice/ })).toHaveAttribute(
    "href",
    "https://invoice.stripe.test/i/paid",
  );

  await snap(page, testInfo, "billing-stripe-off");
  await expectNoSeriousA11yViolations(page);

  await page.setViewportSize({ width: 360, height: 780 });
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "page is wider than the viewport").toBeLessThanOrEqual(clientWidth);
  await snap(page, testInfo, "billing-stripe-off-360");
});

test.describe("with Stripe", () => {
  // Stripe's API is a local stand-in (the real SDK is pointed at it); its pages are intercepted.
  const stripeTest = test.extend<object, { stripe: StripeStandIn }>({
    stripe: [
      // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a function destructures
      async ({}, use) => {
        const standIn = await startStripeStandIn();
        await use(standIn);
        await standIn.close();
      },
      { scope: "worker" },
    ],
    serverEnv: [
      async ({ stripe }, use) => {
        await use({
          STRIPE_SECRET_KEY: "sk_test_e2eportal",
          STRIPE_WEBHOOK_SECRET: "whsec_e2eportal",
          STRIPE_PRICE_STARTER: "price_starter_e2e",
          STRIPE_PRICE_PRO: "price_pro_e2e",
          STRIPE_API_URL: stripe.url,
        });
      },
      { scope: "worker" },
    ],
  });

  async function fakeStripePages(page: Page) {
    await page.route(/^https:\/\/(checkout|billing)\.stripe\.test\//, (route) =>
      route.fulfill({
        contentType: "text/html",
        body: "<!doctype html><title>Stripe</title><h1>Stripe page</h1>",
      }),
    );
  }

  stripeTest(
    "upgrades through Stripe Checkout and shows the returning message",
    async ({ page, server, stripe }, testInfo) => {
      await fakeStripePages(page);
      await signUpConfirmedUser(page, server);
      await openBilling(page);
      await expect(page.getByText(/Billing is not set up/)).toHaveCount(0);

      const plans = page.getByRole("region", { name: "Plans" });
      await expect(plans.getByRole("button", { name: "Upgrade to Starter" })).toBeVisible();
      await expect(plans.getByRole("button", { name: "Upgrade to Pro" })).toBeVisible();
      await snap(page, testInfo, "billing-stripe-free");
      await expectNoSeriousA11yViolations(page);

      await plans.getByRole("button", { name: "Upgrade to Starter" }).click();
      await expect(page).toHaveURL(/^https:\/\/checkout\.stripe\.test\/c\/pay\/cs_test_/);
      const request = stripe.requests.find((r) => r.path === "/v1/checkout/sessions");
      expect(request?.form["line_items[0][price]"]).toBe("price_starter_e2e");

      await page.goto("/billing?checkout=canceled");
      await expect(page.getByText("Checkout was canceled")).toBeVisible();
      await page.goto("/billing?checkout=success");
      await expect(page.getByText("Thank you, your payment went through")).toBeVisible();
      await page.getByRole("button", { name: "Dismiss" }).click();
      await expect(page).toHaveURL(/\/billing$/);
    },
  );

  stripeTest(
    "a past-due subscription shows the banner across the portal",
    async ({ page, server }, testInfo) => {
      await fakeStripePages(page);
      const { email } = await signUpConfirmedUser(page, server);
      const accountId = await accountIdOf(server, email);
      const now = Date.now();
      const customer = `cus_${accountId.slice(0, 8)}`;
      await server.db
        .update(accounts)
        .set({ plan: "starter", stripeCustomerId: customer })
        .where(eq(accounts.id, accountId));
      await server.db.insert(subscriptions).values({
        accountId,
        stripeSubscriptionId: `sub_${accountId.slice(0, 8)}`,
        stripeCustomerId: customer,
        plan: "starter",
        status: "past_due",
        currentPeriodStart: new Date(now - 20 * DAY),
        currentPeriodEnd: new Date(now + 10 * DAY),
      });
      await seedUsage(server, accountId);
      await seedHistory(server, accountId);

      await page.goto("/account");
      const banner = page.getByRole("region", { name: "Payment problem" });
      await expect(banner).toContainText("Your last payment failed.");
      await banner.getByRole("link", { name: "Go to Billing" }).click();

      await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
      const plan = page.getByRole("region", { name: "Your plan" });
      await expect(plan.getByText("Starter", { exact: true })).toBeVisible();
      await expect(plan.getByText("Past due", { exact: true })).toBeVisible();
      const usage = page.getByRole("region", { name: "Usage this period" });
      await expect(usage.getByRole("progressbar", { name: "Minutes" })).toHaveAttribute(
        "aria-valuemax",
        "500",
      );
      // A running subscription changes plan in the Customer Portal, not through a new Checkout.
      const plans = page.getByRole("region", { name: "Plans" });
      await expect(plans.getByRole("button", { name: /Upgrade/ })).toHaveCount(0);
      await snap(page, testInfo, "billing-past-due");
      await expectNoSeriousA11yViolations(page);

      await plan.getByRole("button", { name: "Manage billing" }).click();
      await expect(page).toHaveURL(/^https:\/\/billing\.stripe\.test\/p\/session\//);
    },
  );
});
