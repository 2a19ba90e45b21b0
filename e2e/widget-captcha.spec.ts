import type { APIRequestContext } from "@playwright/test";
import { buttonFields, confirmedAccountApi, holdPhonePanel, trpc, trpcQuery } from "./api";
import { expect } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";
import { routeTurnstileScript, withTurnstile } from "./turnstile";

/**
 * A call and a callback request from a customer's site with Turnstile on. Cloudflare is out of reach: the page gets a
 * stand-in for api.js (it shows a "Verify you are human" box, as an interaction-only widget does
 * when Cloudflare wants a click), and the server verifies against a local siteverify. The site's
 * own CSP decides whether Turnstile may load at all.
 */
const SECRET = "0x4AAAAAAAe2e-widget-secret";
const SITE_KEY = "0x4AAAAAAAe2e-widget-site-key";

const test = withTurnstile({ secret: SECRET, siteKey: SITE_KEY }).extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

test.describe("a call with Turnstile on", () => {
  test.describe.configure({ mode: "serial", timeout: 120_000 });
  let api: APIRequestContext;
  let publicId: string;
  /** Someone can answer (a portal tab open), so the dialog offers the call. */
  let closePanel: (() => void) | undefined;

  test.beforeAll(async ({ playwright, server, siteverify }) => {
    api = await playwright.request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { origin: server.url },
    });
    // Signup needs a token too (solved on the portal's host, for "signup").
    await confirmedAccountApi(api, server, "captcha-widget", {
      captchaToken: siteverify.issue({ hostname: "localhost", action: "signup" }),
    });
    publicId = (await trpc<{ publicId: string }>(api, "buttons.create", buttonFields())).publicId;
    closePanel = await holdPhonePanel(api, server);
  });
  test.afterAll(async () => {
    closePanel?.();
    await api?.dispose();
  });

  test("the visitor confirms in the dialog and the server accepts the token", async ({
    page,
    server,
    site,
    siteverify,
  }, testInfo) => {
    const token = siteverify.issue({ hostname: "localhost", action: "call" });
    await routeTurnstileScript(page, SITE_KEY, { call: token });
    const asked = siteverify.requests.length;
    await page.goto(site.url(publicId, { cloudflare: true }));
    await page.getByRole("button", { name: "Call Acme" }).click();
    const dialog = page.getByRole("dialog", { name: "Call Acme" });
    await dialog.getByRole("button", { name: "Call now" }).click();
    const verify = dialog.getByRole("button", { name: "Verify you are human" });
    await expect(verify).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { __renders: unknown[] }).__renders)).toEqual([
      { sitekey: SITE_KEY, action: "call", appearance: "interaction-only" },
    ]);
    await snap(page, testInfo, "01-widget-captcha");
    // The agent's tab closes meanwhile: calls.start, after the captcha, finds nobody.
    closePanel?.();
    await expect
      .poll(async () => (await trpcQuery<{ reachable: boolean }>(api, "phone.availability")).reachable)
      .toBe(false);
    await verify.click();
    await expect(dialog).toContainText("No one could take your call");
    await expect(verify).toHaveCount(0);
    expect(siteverify.requests.slice(asked)).toHaveLength(1);
    expect(siteverify.requests.at(-1)?.form).toMatchObject({ secret: SECRET, response: token });
    await snap(page, testInfo, "02-widget-captcha-passed");
    closePanel = await holdPhonePanel(api, server);
  });

  test("a site whose CSP blocks Cloudflare: the call fails as unverified and the owner is told why", async ({
    page,
    site,
    siteverify,
  }) => {
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    const asked = siteverify.requests.length;
    await page.goto(site.url(publicId));
    await page.getByRole("button", { name: "Call Acme" }).click();
    const dialog = page.getByRole("dialog", { name: "Call Acme" });
    await dialog.getByRole("button", { name: "Call now" }).click();
    await expect(dialog).toContainText("We couldn't verify this call. Please try again.");
    await expect(dialog.getByRole("button", { name: "Try again" })).toBeVisible();
    expect(warnings.some((w) => w.includes("script-src and frame-src"))).toBe(true);
    expect(siteverify.requests.length).toBe(asked);
  });

  test("a callback request: the visitor confirms for 'callback'; past the per-IP limit the form says when to retry", async ({
    page,
    playwright,
    server,
    site,
    siteverify,
  }, testInfo) => {
    const token = siteverify.issue({ hostname: "localhost", action: "callback" });
    await routeTurnstileScript(page, SITE_KEY, { callback: token });
    const sendRequest = async () => {
      await page.goto(site.url(publicId, { cloudflare: true }));
      await page.getByRole("button", { name: "Call Acme" }).click();
      const dialog = page.getByRole("dialog", { name: "Call Acme" });
      // "Call now" leads (someone can answer): the form is one press away.
      await dialog.getByRole("button", { name: "Request a callback" }).click();
      const form = dialog.getByRole("form", { name: "Request a callback" });
      await form.getByLabel("Name").fill("Val Visitor");
      await form.getByLabel("Phone number").fill("(202) 555-0188");
      await form.getByRole("button", { name: "Request a callback" }).click();
      await dialog.getByRole("button", { name: "Verify you are human" }).click();
      return dialog;
    };
    const first = await sendRequest();
    await expect(first).toContainText("Thanks — we'll call you back.");
    expect(await page.evaluate(() => (window as unknown as { __renders: unknown[] }).__renders)).toEqual([
      { sitekey: SITE_KEY, action: "callback", appearance: "interaction-only" },
    ]);
    expect(siteverify.requests.at(-1)?.form).toMatchObject({ secret: SECRET, response: token });

    // The same visitor (this machine's IP) sends the rest of its hour's requests by script.
    const script = await playwright.request.newContext({
      extraHTTPHeaders: { origin: new URL(site.url(publicId)).origin },
    });
    for (let i = 1; i < 5; i++) {
      const res = await script.post(`${server.url}/trpc/widget.requestCallback`, {
        data: {
          json: {
            button: publicId,
            name: `Visitor ${i}`,
            phone: "(202) 555-0100",
            captchaToken: siteverify.issue({ hostname: "localhost", action: "callback" }),
          },
        },
      });
      expect(res.status(), await res.text()).toBe(200);
    }
    await script.dispose();

    const refused = await sendRequest();
    await expect(refused.getByRole("status").filter({ hasText: "Too many attempts" })).toHaveText(
      /^Too many attempts\. Please wait \d+ minutes and try again\.$/,
    );
    await expect(refused.getByLabel("Name")).toHaveValue("Val Visitor");
    await snap(page, testInfo, "03-widget-callback-rate-limited");
  });
});
