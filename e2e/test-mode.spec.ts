import type { APIRequestContext } from "@playwright/test";
import { buttonFields, trpc } from "./api";
import { test as base, expect, PASSWORD, signUpThroughApi, uniqueEmail } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * Until the owner confirms their email, the account's buttons are in test mode: the portal says
 * so with a resend action, and on the customer's site the widget shows nothing and tells the site
 * owner why. Confirming puts the button live.
 */
const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

test("an unconfirmed account's button is in test mode until the email is confirmed", async ({
  page,
  browser,
  playwright,
  server,
  site,
}, testInfo) => {
  const email = uniqueEmail("test-mode");
  let api: APIRequestContext | undefined;
  try {
    api = await playwright.request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { origin: server.url },
    });
    await signUpThroughApi(api, server, email);
    await trpc(api, "auth.login", { email, password: PASSWORD });
    const { publicId } = await trpc<{ publicId: string }>(api, "buttons.create", buttonFields());

    await test.step("the portal says why, with a resend action", async () => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page.getByRole("region", { name: "Email confirmation" })).toContainText("test mode");
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Buttons" }).click();
      const notice = page.getByRole("status").filter({ hasText: "Your buttons are in test mode" });
      await expect(notice).toContainText("not on your website until you confirm your email address");
      await notice.getByRole("button", { name: "Resend confirmation email" }).click();
      await expect(notice).toContainText(`We sent a new link to ${email}.`);
      await snap(page, testInfo, "buttons-test-mode");
    });

    const visitor = await browser.newContext({ locale: "en-US" });
    const sitePage = await visitor.newPage();
    const warnings: string[] = [];
    sitePage.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });

    await test.step("on the customer's site the widget shows nothing and says why", async () => {
      await sitePage.goto(site.url(publicId));
      await expect.poll(() => warnings.length).toBe(1);
      expect(warnings[0]).toBe(
        "Click & Call: This call button is in test mode until its owner confirms their email address.",
      );
      await expect(sitePage.getByRole("button", { name: /Call Acme/ })).toHaveCount(0);
    });

    await test.step("confirmed: the notice goes and the button goes live", async () => {
      const mail = await server.lastEmailTo(email);
      const link = mail?.text.match(/https?:\/\/\S+\/verify-email\?token=[\w-]+/)?.[0];
      expect(link).toBeTruthy();
      await page.goto(link!);
      await expect(page.getByRole("heading", { level: 1, name: /welcome/i })).toBeVisible();
      await page.goto("/buttons");
      await expect(page.getByRole("heading", { level: 1, name: "Buttons" })).toBeVisible();
      await expect(page.getByText("Your buttons are in test mode")).toHaveCount(0);
      await sitePage.reload();
      await expect(sitePage.getByRole("button", { name: "Call Acme" })).toBeVisible();
    });
    await visitor.close();
  } finally {
    await api?.dispose();
  }
});
