import { expect, signUpConfirmedUser, test, uniqueEmail } from "./fixtures";

/**
 * Privacy policy updates: an operator publishes a notice, an account holder sees it across the
 * portal until they dismiss it; /privacy is a page of its own. Analytics is off on this server.
 */

// Each worker has its own database, so a fixed operator address never collides.
const operatorEmail = "policy-operator@clickandcall.test";
test.use({ serverEnv: { OPERATOR_EMAILS: operatorEmail } });

test("an operator publishes a notice; an account holder reads and dismisses it, and it stays gone", async ({
  page,
  browser,
  server,
}) => {
  test.setTimeout(180_000);
  // Signed up before the notice, like any account holder who should hear about the change.
  const holderContext = await browser.newContext();
  const holder = await holderContext.newPage();
  await signUpConfirmedUser(holder, server, uniqueEmail("holder"));
  await expect(holder.getByRole("region", { name: "Privacy policy update" })).toHaveCount(0);

  const version = `2026-${Date.now().toString(36)}`;
  const summary = "We now explain anonymized product analytics and how long we keep security logs.";

  await test.step("the operator finds Policy notices in the navigation and publishes a version", async () => {
    await signUpConfirmedUser(page, server, operatorEmail);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }).click();
    await page
      .getByRole("navigation", { name: "Operator" })
      .getByRole("link", { name: "Policy notices" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "Policy notices" })).toBeVisible();
    await expect(page.getByText("No notices yet")).toBeVisible();

    // An empty form names each field that needs attention.
    await page.getByLabel("Version").fill("");
    await page.getByRole("button", { name: "Publish notice" }).click();
    await expect(page.getByLabel("Version")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Enter a version, like 2026-06 or v2.")).toBeVisible();

    await page.getByLabel("Version").fill(version);
    await page.getByLabel("Effective date").fill("2026-12-15");
    await page.getByLabel("Summary of the changes").fill(summary);
    await page.getByRole("button", { name: "Publish notice" }).click();
    await expect(page.getByText(`Version ${version} is published`)).toBeVisible();
    const row = page.getByRole("row", { name: new RegExp(version) });
    await expect(row).toContainText("December 15, 2026");
    await expect(row).toContainText(summary);

    // The same version again is refused on its field.
    await page.getByLabel("Version").fill(version);
    await page.getByLabel("Summary of the changes").fill("A second try at the same version.");
    await page.getByRole("button", { name: "Publish notice" }).click();
    await expect(page.getByText(`Version “${version}” is already published`).first()).toBeVisible();
  });

  await test.step("the account holder sees the banner on any page, with a link to the policy", async () => {
    await holder.reload();
    const banner = holder.getByRole("region", { name: "Privacy policy update" });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText("We've updated our privacy policy (effective December 15, 2026)");
    await expect(banner).toContainText(summary);
    await expect(banner.getByRole("link", { name: "Read it" })).toHaveAttribute("href", "/privacy");
    await holder.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    await expect(banner).toBeVisible();
    // Customers do not get the operators' page.
    await expect(holder.getByRole("link", { name: "Policy notices" })).toHaveCount(0);
  });

  await test.step("dismissing hides it, also after a reload", async () => {
    const banner = holder.getByRole("region", { name: "Privacy policy update" });
    await banner.getByRole("button", { name: "Dismiss" }).click();
    await expect(banner).toHaveCount(0);
    await holder.reload();
    await expect(holder.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
    await expect(holder.getByRole("region", { name: "Privacy policy update" })).toHaveCount(0);
  });

  await test.step("the operator's list counts the dismissal", async () => {
    await page.reload();
    await expect(page.getByRole("row", { name: new RegExp(version) })).toContainText("1 person");
  });
  await holderContext.close();
});

test("/privacy renders the policy as a page of its own, linked from signup", async ({ page, server }) => {
  const requested: string[] = [];
  page.on("request", (request) => requested.push(request.url()));
  await page.goto("/signup");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: "privacy policy" }).click();
  await expect(page).toHaveURL(/\/privacy$/);
  await expect(page.getByRole("heading", { level: 1, name: "Privacy policy" })).toBeVisible();
  await expect(page).toHaveTitle("Privacy policy · Click & Call");
  await expect(page.getByText("We never record or store the audio of any call.")).toBeVisible();
  await expect(page.getByRole("link", { name: "privacy@clickandcall.com" }).first()).toHaveAttribute(
    "href",
    "mailto:privacy@clickandcall.com",
  );
  // The first Tab reaches the skip link, which moves focus to the policy.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to the policy" })).toBeFocused();

  // With analytics off, the portal loaded no analytics code and called nothing outside its origin.
  await page.goto("/login");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(requested.filter((url) => !url.startsWith(server.url) && !url.startsWith("data:"))).toEqual([]);
  const scripts = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((entry) => entry.name),
  );
  expect(scripts.filter((name) => /posthog|module\.slim/i.test(name))).toEqual([]);
});
