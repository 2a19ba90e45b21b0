import type { Locator, Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { inboundAudioBytes, trackPeers } from "./call-parties";
import { test as base, company, expect, PASSWORD, signUpConfirmedUser, uniqueEmail } from "./fixtures";
import { inBothThemes, snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * A newcomer's first run, from the signup form to a first answered call, the way a customer does
 * it: every action goes through `user`, which counts it, and the clock runs from opening the
 * signup page until both sides of the first call are connected. The figures are printed and kept
 * as annotations ("before"/"after" measurements of issue 15). Before the checklist and the test
 * page (commit 09f1996), the call came from the customer's site: 11 clicks, 7 fields, 11.0 s.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

/**
 * The user's hands: each click (or check, or choice) and each field typed is counted. Their clock
 * stops while the test checks what the user does not wait for (axe, screenshots, ticks).
 */
type User = {
  click(target: Locator): Promise<void>;
  fill(target: Locator, value: string): Promise<void>;
  counts: { clicks: number; fields: number };
  offClock<T>(check: () => Promise<T>): Promise<T>;
  seconds(): number;
};

function countingUser(): User {
  const counts = { clicks: 0, fields: 0 };
  const started = Date.now();
  let paused = 0;
  return {
    counts,
    async offClock(check) {
      const from = Date.now();
      try {
        return await check();
      } finally {
        paused += Date.now() - from;
      }
    },
    seconds: () => (Date.now() - started - paused) / 1000,
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
 * The first button through the new-button wizard: Buttons, "Create a button", a name, then Next
 * through its defaults to the install step. Returns the button's public id, read from the snippet.
 */
async function createFirstButton(page: Page, user: User): Promise<string> {
  await user.click(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Buttons" }));
  await user.click(page.getByRole("link", { name: "Create a button" }));
  // The wizard: look (a name) → where calls ring → hours → install, its defaults taken as they are.
  await expect(page.getByRole("heading", { level: 2, name: /^Step 1 of 4/ })).toBeVisible();
  await user.fill(page.getByLabel("Name", { exact: true }), "Main site");
  await user.click(page.getByRole("button", { name: "Create button" }));
  await expect(page.getByRole("heading", { level: 2, name: /^Step 2 of 4/ })).toBeVisible();
  await user.click(page.getByRole("button", { name: "Next" }));
  await expect(page.getByRole("heading", { level: 2, name: /^Step 3 of 4/ })).toBeVisible();
  await user.click(page.getByRole("button", { name: "Next" }));
  await expect(page.getByRole("heading", { level: 2, name: "Step 4 of 4: Install" })).toBeVisible();
  const snippet = await page.getByLabel("Embed snippet").inputValue();
  const publicId = snippet.match(/data-button="([\w-]+)"/)?.[1];
  if (!publicId) throw new Error(`no button id in the snippet: ${snippet}`);
  await user.click(page.getByRole("button", { name: "Finish" }));
  await expect(page.getByRole("heading", { level: 1, name: "Main site" })).toBeVisible();
  return publicId;
}

/** The checklist's step (`data-step`) on the dashboard, ticked or not. */
const step = (page: Page, key: string) => page.locator(`#get-started [data-step="${key}"]`);
const ticked = (page: Page, key: string) =>
  expect(step(page, key)).toHaveClass(/step--done/, { timeout: 20_000 });

test.describe("first run", () => {
  // Signup, two browsers and a real call on a shared two-core machine.
  test.describe.configure({ timeout: 300_000 });
  // The browser's timezone becomes the account's at signup.
  test.use({ permissions: ["microphone"], locale: "en-US", timezoneId: "America/Chicago" });

  test("a newcomer signs up, confirms the email, creates a button, makes a test call from its test page and answers it, the checklist ticking each step", async ({
    page,
    site,
  }, testInfo) => {
    await page.addInitScript(trackPeers);
    const user = countingUser();
    const email = uniqueEmail("firstrun");

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

    await test.step("confirms the email through the dev outbox: the first step is ticked", async () => {
      await user.click(page.getByRole("main").getByRole("link", { name: "Open the dev outbox" }));
      const message = page.getByRole("article").filter({ hasText: email });
      await user.click(message.getByRole("link", { name: /\/verify-email\?token=/ }));
      await expect(page.getByRole("heading", { level: 1, name: "Welcome, Dana" })).toBeVisible();
      await user.offClock(async () => {
        await ticked(page, "email");
        for (const key of ["button", "snippet", "answer", "call"]) {
          await expect(step(page, key)).not.toHaveClass(/step--done/);
        }
        // A free account on a server without Twilio is offered no phone number.
        await expect(page.locator("#get-started")).not.toContainText("ring your phone");
        await expect(page.locator("#get-started")).not.toContainText("(202) 555-0143");
        // The account took the browser's timezone.
        await expect(page.locator("#account-summary")).toContainText("America/Chicago");
        await expectNoSeriousA11yViolations(page);
        await snap(page, testInfo, "first-run-checklist-1280");
      });
    });

    const publicId = await test.step("creates a first button", () => createFirstButton(page, user));

    await test.step("the checklist ticks the button; becoming available ticks the next step", async () => {
      await user.click(
        page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }),
      );
      await user.offClock(() => ticked(page, "button"));
      // The panel shows the switch's state once it has read it (a click before then is lost).
      await expect(page.getByText("Off: calls don't ring here")).toBeVisible();
      await user.click(page.getByRole("switch", { name: "Available to answer calls" }));
      await expect(page.getByText("On: calls ring here")).toBeVisible();
      await user.offClock(() => ticked(page, "answer"));
    });

    const visitor = await test.step("opens the test page from the checklist and calls", async () => {
      const [tryPage] = await Promise.all([
        page.waitForEvent("popup"),
        user.click(page.getByRole("link", { name: "Make a test call (opens in a new tab)" })),
      ]);
      await expect(tryPage).toHaveURL(new RegExp(`/try/${publicId}$`));
      await expect(tryPage.getByText("Test page", { exact: true })).toBeVisible();
      await user.offClock(async () => {
        await expect(tryPage.getByRole("button", { name: "Call us" })).toBeVisible();
        await expectNoSeriousA11yViolations(tryPage);
        await snap(tryPage, testInfo, "first-run-test-page-1280");
        await tryPage.setViewportSize({ width: 390, height: 844 });
        await expectNoSeriousA11yViolations(tryPage);
        await snap(tryPage, testInfo, "first-run-test-page-390");
      });
      await user.click(tryPage.getByRole("button", { name: "Call us" }));
      const dialog = tryPage.getByRole("dialog", { name: "Call us" });
      await user.click(dialog.getByRole("button", { name: "Call now" }));
      return { page: tryPage, dialog };
    });

    await test.step("answers in the portal", async () => {
      const ring = page.getByRole("article", { name: "Main site" });
      await user.click(ring.getByRole("button", { name: "Answer" }));
      await expect(ring).toContainText("Connected", { timeout: 30_000 });
      await expect(visitor.dialog).toContainText("Connected");
    });
    const seconds = user.seconds();

    // Audio flows (the call really is answered), then the figures.
    await expect.poll(() => inboundAudioBytes(page), { timeout: 30_000 }).toBeGreaterThan(0);
    await snap(page, testInfo, "first-run-call-answered-1280");
    await snap(visitor.page, testInfo, "first-run-test-page-connected-1280");
    const figures = `${user.counts.clicks} clicks, ${user.counts.fields} fields typed, ${seconds.toFixed(1)} s`;
    testInfo.annotations.push({ type: "first-run", description: figures });
    console.log(`first run, signup to first answered call: ${figures}`);

    await test.step("the answered call ticks its step; the call log marks it as a test", async () => {
      await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
      await expect(page.getByRole("article", { name: "Main site" })).toContainText("Call ended");
      await ticked(page, "call");
      await expect(step(page, "snippet")).not.toHaveClass(/step--done/);
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
      await expect(page.getByRole("table").getByText("Test", { exact: true })).toBeVisible();
      await visitor.page.close();
    });

    await test.step("the snippet seen on the site ticks the last step: the dashboard shows today's numbers", async () => {
      const site_ = await page.context().browser()!.newContext();
      const onSite = await site_.newPage();
      await onSite.goto(site.url(publicId));
      await expect(onSite.getByRole("button", { name: "Call us" })).toBeVisible();
      await site_.close();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
      const today = page.locator("#today");
      // The server writes the sites it saw every few seconds; the dashboard reads them again.
      await expect(today).toBeVisible({ timeout: 30_000 });
      await expect(page.locator("#get-started")).toHaveCount(0);
      await expect(today).toContainText("America/Chicago");
      await expect(
        today.locator(".today-figure").filter({ has: page.getByText("Calls", { exact: true }) }),
      ).toContainText("1");
      await expect(today.getByRole("listitem")).toHaveText(["Dana Owner"]);
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "first-run-today-1280"),
      );
      await page.setViewportSize({ width: 390, height: 844 });
      await expect(today).toBeVisible();
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "first-run-today-390"),
      );
    });
  });

  test("the account's timezone: owners change it in Account, and the portal's dates follow it", async ({
    page,
    server,
  }, testInfo) => {
    // Signed up through the API, without a browser zone: the default one.
    await signUpConfirmedUser(page, server);
    await expect(page.locator("#account-summary")).toContainText("America/New_York");
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 844 });
      await page.goto("/account");
      const section = page.locator("#timezone");
      await expect(section.getByLabel("Account timezone")).toHaveValue("America/New_York");
      await expectNoSeriousA11yViolations(page, "#timezone");
      await section.screenshot({ path: testInfo.outputPath(`timezone-${width}.png`) });
    }
    const section = page.locator("#timezone");
    await expect(section.getByRole("button", { name: "Save timezone" })).toBeDisabled();
    await section.getByLabel("Account timezone").selectOption("Europe/Paris");
    await section.getByRole("button", { name: "Save timezone" }).click();
    await expect(section.getByText("Timezone saved.")).toBeVisible();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page.locator("#account-summary")).toContainText("Europe/Paris");
  });
});
