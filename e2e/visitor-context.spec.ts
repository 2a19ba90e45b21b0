import { trpc, trpcQuery } from "./api";
import { accountWithButton, agentReady, party } from "./call-parties";
import { test as base, expect, signUpThroughApi } from "./fixtures";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * Who is calling: a visitor lands on a customer's page from a Google Ads click (UTM parameters in
 * the address), browses, and calls through the widget. The agent's ring card says where they came
 * from; the call log shows the source, its filter narrows to it, and the CSV carries the columns.
 * The privacy policy's update is announced once to the account holder.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

const operatorEmail = "context-operator@clickandcall.test";
test.use({ serverEnv: { RING_TIMEOUT_SECONDS: "30", OPERATOR_EMAILS: operatorEmail } });

const ADS = "&utm_source=google&utm_medium=cpc&utm_campaign=spring-sale";

test("from a landing URL with UTMs, to the ring card, the call log, its filters and the CSV; the policy notice once", async ({
  browser,
  playwright,
  server,
  site,
}, testInfo) => {
  test.setTimeout(300_000);
  const { api, button } = await accountWithButton(playwright, server);
  const agent = await agentReady(browser, api, testInfo);

  await test.step("a visitor from a Google Ads click calls; the ring card says so", async () => {
    const visitor = await party(browser, {
      isMobile: true,
      hasTouch: true,
      viewport: { width: 390, height: 844 },
    });
    await visitor.page.goto(`${site.url(button.publicId)}${ADS}`, { referer: "https://www.google.com/" });
    await visitor.page.getByRole("button", { name: "Call Acme" }).click();
    const dialog = visitor.page.getByRole("dialog", { name: "Call Acme" });
    await dialog.getByRole("button", { name: "Call now" }).click();

    const ring = agent.page.getByRole("article", { name: "Main site" });
    await expect(ring).toContainText("from Google Ads, campaign spring-sale, on mobile");
    await expect(ring).toContainText(/\d{1,2}:\d{2} (AM|PM) their time/);
    await ring.getByRole("button", { name: "Answer" }).click();
    await expect(dialog).toContainText("Connected", { timeout: 30_000 });
    await dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(dialog).toContainText("Call ended");
    await agent.page
      .getByRole("article", { name: "Main site" })
      .getByRole("button", { name: "Close" })
      .click();
    expect(visitor.errors).toEqual([]);
    await visitor.context.close();
  });

  await test.step("another visitor, from a review site, calls and is declined", async () => {
    const visitor = await party(browser);
    await visitor.page.goto(site.url(button.publicId), { referer: "https://www.yelp.com/biz/acme" });
    await visitor.page.getByRole("button", { name: "Call Acme" }).click();
    const dialog = visitor.page.getByRole("dialog", { name: "Call Acme" });
    await dialog.getByRole("button", { name: "Call now" }).click();
    const ring = agent.page.getByRole("article", { name: "Main site" });
    await expect(ring).toContainText("from yelp.com, on desktop");
    await ring.getByRole("button", { name: "Decline" }).click();
    await expect(dialog).not.toContainText("Ringing", { timeout: 30_000 });
    await visitor.context.close();
  });

  await test.step("the call log shows the source, and the Source filter narrows to it", async () => {
    await agent.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    const table = agent.page.getByRole("table", { name: /^Calls, newest first/ });
    await expect(table.getByRole("row")).toHaveCount(3);
    await expect(table).toContainText("Google Ads");
    await expect(table).toContainText("spring-sale");
    await expect(table).toContainText("yelp.com");
    await agent.page.getByLabel("Source").selectOption("Google Ads");
    await expect(table.getByRole("row")).toHaveCount(2);
    await expect(table).not.toContainText("yelp.com");
    await expect(agent.page).toHaveURL(/source=Google\+Ads|source=Google%20Ads/);
    await agent.page.getByLabel("Campaign").selectOption("spring-sale");
    await expect(table.getByRole("row")).toHaveCount(2);
  });

  await test.step("the CSV has the context columns", async () => {
    const res = await api.get("/exports/calls.csv?source=Google%20Ads");
    expect(res.ok()).toBe(true);
    const [header, line, ...rest] = (await res.text()).split("\r\n").filter(Boolean);
    expect(rest).toEqual([]);
    expect(header).toContain(
      "Source,Referrer,UTM source,UTM medium,UTM campaign,UTM term,UTM content,gclid,Device,Visitor local time",
    );
    expect(line).toMatch(
      /,Google Ads,https:\/\/www\.google\.com\/,google,cpc,spring-sale,,,,mobile,\d{4}-\d\d-\d\dT/,
    );
    const log = await trpcQuery<{ items: Array<{ source: string | null; campaign: string | null }> }>(
      api,
      "callLog.list",
      { campaign: "spring-sale" },
    );
    expect(log.items).toEqual([expect.objectContaining({ source: "Google Ads", campaign: "spring-sale" })]);
  });

  await test.step("the policy update is shown once to the account holder", async () => {
    const operator = await playwright.request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { origin: server.url },
    });
    const link = await signUpThroughApi(operator, server, operatorEmail);
    await trpc(operator, "auth.verifyEmail", { token: new URL(link).searchParams.get("token") });
    await trpc(operator, "policy.publish", {
      version: "2026-12-03",
      effectiveAt: "2026-12-03",
      summary: "We now describe the visitor context sent with calls and callback requests.",
    });
    await agent.page.reload();
    const banner = agent.page.getByRole("region", { name: "Privacy policy update" });
    await expect(banner).toContainText("visitor context");
    await banner.getByRole("button", { name: "Dismiss" }).click();
    await expect(banner).toHaveCount(0);
    await agent.page.reload();
    await expect(agent.page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
    await expect(agent.page.getByRole("region", { name: "Privacy policy update" })).toHaveCount(0);
    await operator.dispose();
  });

  expect(agent.errors).toEqual([]);
  await Promise.all([agent.context.close(), api.dispose()]);
});
