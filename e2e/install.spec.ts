import type { Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { buttonFields } from "./api";
import { test as base, expect, signUpConfirmedUser } from "./fixtures";
import { inBothThemes, snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * The installation check: the widget on an allowed origin (localhost) and on a refused one
 * (other-site.test, mapped to this machine), the editor showing both, and one click allowing the
 * refused site, where the widget then loads.
 */
const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

test.use({
  launchOptions: {
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // A second site with a real domain name, which an allowed-domains list can hold.
      "--host-resolver-rules=MAP other-site.test 127.0.0.1",
    ],
  },
});

async function widgetShown(page: Page) {
  return page.evaluate(() =>
    Boolean(document.querySelector("click-and-call")?.shadowRoot?.querySelector("button.b")),
  );
}

test("installation check: allowed and refused sites in the editor, one click allows the refused one", async ({
  page,
  server,
  site,
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  await signUpConfirmedUser(page, server);
  const res = await page.request.post(`${server.url}/trpc/buttons.create`, {
    headers: { origin: server.url, "content-type": "application/json" },
    data: { json: buttonFields() },
  });
  expect(res.ok(), await res.text()).toBe(true);
  const { id, publicId } = (await res.json()).result.data.json as { id: string; publicId: string };

  // Visitors: one on an allowed origin (localhost), one on a site not in the list.
  const visitor = await browser.newContext();
  const allowedPage = await visitor.newPage();
  await allowedPage.goto(site.url(publicId));
  await expect.poll(() => widgetShown(allowedPage)).toBe(true);
  const refusedPage = await visitor.newPage();
  await refusedPage.goto(site.url(publicId, { host: "other-site.test" }));
  await expect(refusedPage.locator("body")).toBeVisible();
  await refusedPage.waitForTimeout(500);
  expect(await widgetShown(refusedPage)).toBe(false);

  // The server writes what it saw every few seconds: the editor shows both once written.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${server.url}/buttons/${id}`);
  const status = page.locator(".install-status");
  await expect(async () => {
    await page.reload();
    await expect(status.getByText(/Installed on localhost, last seen/)).toBeVisible({ timeout: 2000 });
    await expect(status.getByText(/Seen on other-site\.test, not allowed/)).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 30_000 });
  await status.scrollIntoViewIfNeeded();
  await inBothThemes(
    page,
    () => expectNoSeriousA11yViolations(page, "#snippet"),
    () => snap(page.locator("#snippet"), testInfo, "install-status-390"),
  );

  // The snippet box: a tab per platform with its steps, the CSP note.
  await page.getByRole("tab", { name: "Shopify" }).click();
  await expect(page.getByRole("tabpanel")).toContainText("theme.liquid");
  await page.getByText("Your site sends a Content-Security-Policy?").click();
  await expect(page.locator(".embed-csp pre")).toContainText(`script-src ${server.url}`);
  await expectNoSeriousA11yViolations(page, "#snippet");

  // The same instructions by email, saying who sent them.
  await page.getByText("Email these instructions to my developer").click();
  await page.getByLabel("Developer's email").fill("dev@acme-plumbing.com");
  await page.getByLabel("Their site is built with").selectOption("wordpress");
  await page.getByRole("button", { name: "Send the instructions" }).click();
  await expect(page.getByText("Sent to dev@acme-plumbing.com.")).toBeVisible();
  const mail = await server.lastEmailTo("dev@acme-plumbing.com");
  expect(mail?.text).toContain("Dana Owner");
  expect(mail?.text).toContain(publicId);
  expect(mail?.text).toContain("WPCode");
  await expectNoSeriousA11yViolations(page, "#snippet");

  // One click allows it, through the button's own update.
  await page.getByRole("button", { name: "Allow other-site.test" }).click();
  await expect(status.getByText(/Installed on other-site\.test/)).toBeVisible();
  await expect(status.getByText(/not allowed/)).toHaveCount(0);

  // The widget now loads there.
  await refusedPage.reload();
  await expect.poll(() => widgetShown(refusedPage)).toBe(true);
  await visitor.close();

  // The dashboard says the same, at 390 px and at 1280 px.
  await page.goto(`${server.url}/`);
  const dashboard = page.locator("#install-status");
  await expect(dashboard.getByText(/Installed on other-site\.test, last seen/)).toBeVisible();
  await expect(dashboard.getByText(/Installed on localhost, last seen/)).toBeVisible();
  await inBothThemes(
    page,
    () => expectNoSeriousA11yViolations(page, "#install-status"),
    () => snap(dashboard, testInfo, "dashboard-install-390"),
  );
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(dashboard.getByText(/Installed on other-site\.test/)).toBeVisible();
  await inBothThemes(
    page,
    () => expectNoSeriousA11yViolations(page, "#install-status"),
    () => snap(dashboard, testInfo, "dashboard-install-1280"),
  );
});
