import type { Locator, Page } from "@playwright/test";
import { inboundAudioBytes, party, trackPeers } from "./call-parties";
import { test as base, company, expect, PASSWORD, uniqueEmail } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * A newcomer's first run, from the signup form to a first answered call, the way a customer does
 * it: every action goes through `user`, which counts it, and the clock runs from opening the
 * signup page until both sides of the first call are connected. The figures are printed and kept
 * as annotations ("before"/"after" measurements of issue 15).
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

/** The user's hands: each click (or check, or choice) and each field typed is counted. */
type User = {
  click(target: Locator): Promise<void>;
  fill(target: Locator, value: string): Promise<void>;
  counts: { clicks: number; fields: number };
};

function countingUser(): User {
  const counts = { clicks: 0, fields: 0 };
  return {
    counts,
    async click(target) {
      counts.clicks += 1;
      await target.click();
    },
    async fill(target, value) {
      counts.fields += 1;
      await target.fill(value);
    },
  };
}

/**
 * The first button, as the portal offers it today: Buttons, "Create a button", a name, save.
 * Returns the button's public id, read from the snippet the editor shows. (One function, so the
 * new-button wizard can take its place.)
 */
async function createFirstButton(page: Page, user: User): Promise<string> {
  await user.click(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Buttons" }));
  await user.click(page.getByRole("link", { name: "Create a button" }));
  await expect(page.getByRole("heading", { level: 1, name: "New call button" })).toBeVisible();
  await user.fill(page.getByLabel("Name", { exact: true }), "Main site");
  await user.click(page.getByRole("button", { name: "Create button" }));
  await expect(page.getByRole("heading", { level: 1, name: "Main site" })).toBeVisible();
  const snippet = await page.getByLabel("Embed snippet").inputValue();
  const publicId = snippet.match(/data-button="([\w-]+)"/)?.[1];
  if (!publicId) throw new Error(`no button id in the snippet: ${snippet}`);
  return publicId;
}

test.describe("first run", () => {
  // Signup, two browsers and a real call on a shared two-core machine.
  test.describe.configure({ timeout: 300_000 });
  test.use({ permissions: ["microphone"], locale: "en-US" });

  test("a newcomer signs up, confirms the email, creates a button, puts it on their site and answers a first call", async ({
    page,
    browser,
    site,
  }, testInfo) => {
    await page.addInitScript(trackPeers);
    const user = countingUser();
    const email = uniqueEmail("firstrun");
    const started = Date.now();

    await test.step("signs up", async () => {
      await page.goto("/signup");
      await user.fill(page.getByLabel("Your name"), company.name);
      await user.fill(page.getByLabel("Work email"), email);
      await user.fill(page.getByLabel("Company name"), company.companyName);
      await user.fill(page.getByLabel("Website"), company.website);
      await user.fill(page.getByLabel("Phone number (US)"), company.phone);
      await user.fill(page.getByLabel("Password", { exact: true }), PASSWORD);
      await user.click(page.getByLabel("I confirm that I am 18 or older"));
      await user.click(page.getByRole("button", { name: "Create account" }));
      await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();
    });

    await test.step("confirms the email through the dev outbox", async () => {
      await user.click(page.getByRole("main").getByRole("link", { name: "Open the dev outbox" }));
      const message = page.getByRole("article").filter({ hasText: email });
      await user.click(message.getByRole("link", { name: /\/verify-email\?token=/ }));
      await expect(page.getByRole("heading", { level: 1, name: "Welcome, Dana" })).toBeVisible();
      await snap(page, testInfo, "01-dashboard-confirmed");
    });

    const publicId = await test.step("creates a first button", () => createFirstButton(page, user));

    await test.step("becomes available to answer", async () => {
      const available = page.getByRole("switch", { name: "Available to answer calls" });
      await user.click(available);
      await expect(page.getByText("On: calls ring here")).toBeVisible();
    });

    const visitor = await party(browser);
    await test.step("opens their site with the snippet and calls", async () => {
      await visitor.page.goto(site.url(publicId));
      await user.click(visitor.page.getByRole("button", { name: "Call us" }));
      const dialog = visitor.page.getByRole("dialog", { name: "Call us" });
      await user.click(dialog.getByRole("button", { name: "Call now" }));
    });

    await test.step("answers in the portal", async () => {
      const ring = page.getByRole("article", { name: "Main site" });
      await user.click(ring.getByRole("button", { name: "Answer" }));
      await expect(ring).toContainText("Connected", { timeout: 30_000 });
      await expect(visitor.page.getByRole("dialog")).toContainText("Connected");
    });
    const seconds = (Date.now() - started) / 1000;

    // Audio flows (the call really is answered), then the figures.
    await expect.poll(() => inboundAudioBytes(page), { timeout: 30_000 }).toBeGreaterThan(0);
    await snap(page, testInfo, "02-first-call-answered");
    const figures = `${user.counts.clicks} clicks, ${user.counts.fields} fields typed, ${seconds.toFixed(1)} s`;
    testInfo.annotations.push({ type: "first-run", description: figures });
    console.log(`first run, signup to first answered call: ${figures}`);

    await visitor.page.getByRole("dialog").getByRole("button", { name: "Hang up" }).click();
    await expect(page.getByRole("article", { name: "Main site" })).toContainText("Call ended");
    expect(visitor.errors, "uncaught errors on the visitor's page").toEqual([]);
    await visitor.context.close();
  });
});
