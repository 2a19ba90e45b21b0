import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page, TestInfo } from "@playwright/test";
import { buildWidget, distDir } from "../apps/widget/build.mjs";
import { test as base, expect, signUpConfirmedUser } from "./fixtures";
import { snap } from "./shots";

/**
 * The Buttons section of the portal: create a button in the wizard, watch the live preview, copy
 * the snippet, and paste it into a customer's page served from another origin (its own port).
 */

type Site = {
  /** Serves a page with this HTML pasted before `</body>` and returns its URL (another origin). */
  page(snippet: string): string;
};

const test = base.extend<object, { site: Site }>({
  site: [
    async ({ server: _server }, use) => {
      if (!existsSync(`${distDir}/widget.js`) || !existsSync(`${distDir}/widget-call.js`)) {
        await buildWidget({ write: true });
      }
      const pages = new Map<string, string>();
      const http = createServer((req, res) => {
        const html = pages.get(new URL(req.url ?? "/", "http://site").pathname);
        if (!html) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
      });
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      const port = (http.address() as AddressInfo).port;
      await use({
        page(snippet) {
          const path = `/${randomBytes(6).toString("hex")}`;
          pages.set(
            path,
            `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><title>Acme Plumbing</title></head>
  <body>
    <header><h1>Acme Plumbing</h1></header>
    <main><p>Leaky tap? <a href="#services">Our services</a></p></main>
    ${snippet}
  </body>
</html>`,
          );
          return `http://localhost:${port}${path}`;
        },
      });
      await new Promise((resolve) => http.close(resolve));
    },
    { scope: "worker" },
  ],
});

async function axeSerious(page: Page, exclude?: string) {
  const builder = new AxeBuilder({ page });
  if (exclude) builder.exclude(exclude);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** The widget's button, its computed colors and its place in the viewport (inside the shadow root). */
async function widgetLook(button: Locator) {
  return button.evaluate((el) => {
    const cs = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    return {
      background: cs.backgroundColor,
      color: cs.color,
      left: Math.round(rect.left),
      bottom: Math.round(innerHeight - rect.bottom),
    };
  });
}

/** What the screen shows (a full-page shot stretches sticky parts over the page). */
async function snapViewport(page: Page, testInfo: TestInfo, step: string) {
  const path = testInfo.outputPath(`${step}.png`);
  await page.screenshot({ path });
  await testInfo.attach(step, { path, contentType: "image/png" });
}

/** Is the page wider than its viewport (sideways scrolling on a phone)? */
async function horizontalOverflow(page: Page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test.describe("the Buttons section", () => {
  // Signing up, three browser contexts and axe on a long form take minutes on a loaded machine.
  test.describe.configure({ timeout: 600_000 });
  test.use({
    permissions: ["clipboard-read", "clipboard-write"],
    timezoneId: "America/New_York",
    locale: "en-US",
  });

  test("creates a button in the wizard, previews it, copies the snippet, and it works on another site", async ({
    page,
    server,
    site,
    browser,
  }, testInfo) => {
    await signUpConfirmedUser(page, server);

    await test.step("the empty list explains the first step", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Buttons" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Buttons" })).toBeFocused();
      await expect(
        page.getByText("Create your first call button, then paste its snippet into your site."),
      ).toBeVisible();
      expect(await axeSerious(page)).toEqual([]);
      await page.getByRole("link", { name: "Create a button" }).click();
      await expect(page).toHaveURL(/\/buttons\/new$/);
      await expect(page.getByRole("heading", { level: 1, name: "New call button" })).toBeVisible();
    });

    const preview = page.locator(".preview-site");
    const previewButton = preview.getByRole("button");

    await test.step("the live preview follows the label, colors and position", async () => {
      await expect(previewButton).toContainText("Call us");
      await page.getByLabel("Name", { exact: true }).fill("Main site");
      await page.getByLabel("Button text").fill("Call Acme now");
      await expect(previewButton).toContainText("Call Acme now");

      await page.getByLabel("Background color", { exact: true }).fill("#0f766e");
      await page.getByLabel("Position").selectOption("bottom-left");
      await page.getByLabel("Size").selectOption("large");
      await expect
        .poll(() => widgetLook(previewButton))
        .toMatchObject({
          background: "rgb(15, 118, 110)",
          color: "rgb(255, 255, 255)",
        });
      // bottom-left inside the preview's mock page.
      const box = await previewButton.boundingBox();
      const frame = await page.locator(".preview-site-page").boundingBox();
      expect(box!.x - frame!.x).toBeLessThan(40);
      expect(frame!.y + frame!.height - (box!.y + box!.height)).toBeLessThan(40);
    });

    await test.step("a low-contrast pair is flagged with its ratio", async () => {
      await expect(page.getByText(/^Contrast 5\.\d\d:1/)).toBeVisible();
      await page.getByLabel("Text color", { exact: true }).fill("#5eead4");
      await expect(page.getByRole("status").filter({ hasText: /Low contrast: \d\.\d\d:1/ })).toBeVisible();
      await expect.poll(() => widgetLook(previewButton)).toMatchObject({ color: "rgb(94, 234, 212)" });
      await page.getByLabel("Text color", { exact: true }).fill("#ffffff");
      await expect(page.getByText(/Low contrast/)).toBeHidden();
    });

    await test.step("creating it at the end of the first step; the server's field errors keep what was typed", async () => {
      await page.getByRole("button", { name: "Create button" }).click();
      await expect(
        page.getByRole("heading", { level: 2, name: "Step 2 of 4: Where calls ring" }),
      ).toBeFocused();
      // The free plan rings the portal only: a phone number is refused with a plan message.
      await page.getByLabel("Phone number (US)").fill("(202) 555-0143");
      await page.getByRole("button", { name: "Next" }).click();
      const phone = page.getByLabel("Phone number (US)");
      await expect(phone).toHaveAttribute("aria-invalid", "true");
      await expect(phone).toBeFocused();
      await expect(page.getByText("Ringing a phone number needs a paid plan.").first()).toBeVisible();
      await expect(page.getByRole("link", { name: "See plans in Billing" })).toBeVisible();
      await phone.fill("");
      await page.getByRole("button", { name: "Back" }).click();
      await expect(page.getByLabel("Button text")).toHaveValue("Call Acme now");
      await page.getByRole("button", { name: "Next" }).click();
      await page.getByRole("button", { name: "Next" }).click();
    });

    await test.step("hours: overnight intervals, overlaps named by day, presets, preview as open or closed", async () => {
      // A new button starts always open; weekday hours give Monday an interval to edit.
      await expect(page.getByText("All day").first()).toBeVisible();
      await page.getByRole("button", { name: "Weekdays 9–5" }).click();
      const monday = page.getByRole("listitem").filter({ has: page.getByText("Monday", { exact: true }) });
      await monday.getByLabel("Monday closes at").fill("02:00");
      await expect(monday.getByText("Until 02:00 next day")).toBeVisible();
      await monday.getByRole("button", { name: "Add hours on Monday" }).click();
      await monday.getByLabel("Monday opens at").nth(1).fill("08:00");
      await expect(monday.getByText("Monday: intervals overlap")).toBeVisible();
      await monday.getByRole("button", { name: /^Remove Monday 08:00/ }).click();
      await expect(monday.getByText("Monday: intervals overlap")).toBeHidden();

      await page.getByLabel("Timezone").selectOption("America/New_York");
      await page.getByRole("button", { name: "Weekdays 9–5" }).click();
      // A new button offers a callback while closed; "when you are back" names the opening.
      await expect(page.getByRole("radio", { name: /Offer a callback request/ })).toBeChecked();
      await page.getByRole("radio", { name: /Show when you are back/ }).check();
      await page.getByRole("radio", { name: "Closed", exact: true }).check();
      await expect(previewButton).toContainText("Closed — back");
      await page.getByRole("radio", { name: "Open", exact: true }).check();
      await expect(previewButton).not.toContainText("Closed");
      await page.getByRole("button", { name: "Always open" }).click();
      await page.getByRole("button", { name: "Next" }).click();
      await expect(page.getByRole("heading", { level: 2, name: "Step 4 of 4: Install" })).toBeVisible();
    });

    await test.step("domains are added as chips", async () => {
      await page.getByLabel("Add a domain").fill("not a domain");
      await page.getByLabel("Add a domain").press("Enter");
      await expect(page.getByText(/is not a domain name/)).toBeVisible();
      // The website given at signup is there already, with its www.
      const domains = page.getByRole("list", { name: "Allowed domains" });
      await expect(domains).toContainText("acme-plumbing.com");
      await expect(domains).toContainText("www.acme-plumbing.com");
      await page.getByLabel("Add a domain").fill("https://shop.acme-plumbing.com/contact");
      await page.getByLabel("Add a domain").press("Enter");
      await expect(domains).toContainText("shop.acme-plumbing.com");
    });

    await test.step("axe finds no serious problem in the install step; screenshots at desktop and 360 px", async () => {
      expect(await axeSerious(page)).toEqual([]);
      // From the top, so the sticky preview sits beside the form where it belongs.
      await page.evaluate(() => window.scrollTo(0, 0));
      await snapViewport(page, testInfo, "wizard-desktop");
      await snap(page, testInfo, "wizard-desktop-full");
      await page.setViewportSize({ width: 360, height: 780 });
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.evaluate(() => window.scrollTo(0, 0));
      await snapViewport(page, testInfo, "wizard-360");
      await snap(page, testInfo, "wizard-360-full");
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    let snippet = "";
    await test.step("the install step shows the snippet, Copy puts it on the clipboard, Finish opens the editor", async () => {
      const code = page.getByLabel("Embed snippet");
      await expect(code).toHaveValue(
        /^<script src="http:\/\/localhost:\d+\/widget\.js" data-button="b_[\w-]+" async><\/script>$/,
      );
      await page.getByRole("button", { name: "Copy snippet" }).click();
      await expect(page.getByText("Copied to the clipboard")).toBeVisible();
      snippet = await page.evaluate(() => navigator.clipboard.readText());
      expect(snippet).toBe(await code.inputValue());
      await snapViewport(page, testInfo, "wizard-install-desktop");
      await page.getByRole("button", { name: "Finish" }).click();
      await expect(page).toHaveURL(/\/buttons\/[0-9a-f-]{36}$/);
      await expect(page.getByRole("heading", { level: 1, name: "Main site" })).toBeVisible();
      await expect(page.getByRole("list", { name: "Allowed domains" })).toContainText(
        "shop.acme-plumbing.com",
      );
      await expect(page.getByText("All changes saved.").or(page.getByText("Unsaved changes"))).toHaveCount(0);
    });

    await test.step("closed dates are added as chips in the editor", async () => {
      await page.getByLabel("Add a closed date").fill("2031-12-25");
      await page.getByRole("button", { name: "Add date" }).click();
      await expect(page.getByRole("list", { name: "Closed dates" })).toContainText("Dec 25, 2031");
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect(page.getByText("All changes saved.")).toBeVisible();
    });

    await test.step("on a site served from another origin: label, colors, position, keyboard", async () => {
      const visitor = await browser.newContext({ locale: "en-US", timezoneId: "America/Los_Angeles" });
      const sitePage = await visitor.newPage();
      await sitePage.goto(site.page(snippet));
      const button = sitePage.getByRole("button", { name: "Call Acme now" });
      await expect(button).toBeVisible();
      expect(await widgetLook(button)).toEqual({
        background: "rgb(15, 118, 110)",
        color: "rgb(255, 255, 255)",
        left: 20,
        bottom: 20,
      });
      // Reachable by Tab after the page's own link.
      await sitePage.keyboard.press("Tab");
      await expect(sitePage.getByRole("link", { name: "Our services" })).toBeFocused();
      await sitePage.keyboard.press("Tab");
      await expect(button).toBeFocused();
      await sitePage.keyboard.press("Enter");
      const dialog = sitePage.getByRole("dialog", { name: "Call Acme now" });
      await expect(dialog).toBeVisible();
      await sitePage.keyboard.press("Escape");
      await expect(dialog).toBeHidden();
      await expect(button).toBeFocused();
      await sitePage.screenshot({ path: testInfo.outputPath("third-party-open.png") });
      await visitor.close();
    });

    await test.step("closed all week with a callback form: the visitor leaves a request", async () => {
      await page.getByRole("button", { name: "Closed all week" }).click();
      await page.getByRole("radio", { name: /Offer a callback request/ }).check();
      await expect(page.getByText("Unsaved changes")).toBeVisible();
      await expect(previewButton).toContainText("Closed — request a callback");
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect(page.getByText("All changes saved.")).toBeVisible();

      // A new visitor (fresh cache) sees the closed button and leaves a request.
      const visitor = await browser.newContext({ locale: "en-US" });
      const sitePage = await visitor.newPage();
      await sitePage.goto(site.page(snippet));
      const button = sitePage.getByRole("button", { name: /^Call Acme now/ });
      await expect(button).toContainText("Closed — request a callback");
      await button.click();
      const dialog = sitePage.getByRole("dialog");
      await dialog.getByLabel("Name").fill("Val Visitor");
      await dialog.getByLabel("Phone number").fill("(202) 555-0188");
      await dialog.getByLabel(/Message/).fill("The kitchen sink is leaking.");
      await dialog.getByRole("button", { name: "Request a callback" }).click();
      await expect(dialog).toContainText("Thanks — we'll call you back.");
      await sitePage.screenshot({ path: testInfo.outputPath("third-party-closed.png") });
      await visitor.close();
    });

    await test.step("the request is listed under Callbacks and can be marked handled", async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Callbacks" }).click();
      const row = page.getByRole("listitem").filter({ hasText: "Val Visitor" });
      await expect(row).toContainText("The kitchen sink is leaking.");
      await expect(row).toContainText("Main site");
      await expect(row.getByRole("link", { name: "(202) 555-0188" })).toHaveAttribute(
        "href",
        "tel:+12025550188",
      );
      expect(await axeSerious(page)).toEqual([]);
      await row.getByRole("switch", { name: /Handled/ }).click();
      await expect(page.getByText("Nobody is waiting for a call back")).toBeVisible();
      // The filter lives in the URL, so the radio shows checked once the navigation settles.
      await page.getByRole("radio", { name: "All requests" }).click();
      await expect(page.getByRole("radio", { name: "All requests" })).toBeChecked();
      await expect(page.getByRole("switch", { name: /Handled: Val Visitor/ })).toBeChecked();
      await snap(page, testInfo, "callbacks-desktop");
    });
  });

  test("the list: active switch, duplicate, and delete with a confirmation dialog", async ({
    page,
    server,
  }, testInfo) => {
    await signUpConfirmedUser(page, server);
    await page.goto("/buttons/new");
    await page.getByLabel("Name", { exact: true }).fill("Front desk");
    await page.getByRole("button", { name: "Create button" }).click();
    // The wizard created it at the end of its first step.
    await expect(
      page.getByRole("heading", { level: 2, name: "Step 2 of 4: Where calls ring" }),
    ).toBeVisible();

    await page.getByRole("link", { name: "All buttons" }).click();
    const row = page
      .getByRole("listitem")
      .filter({ has: page.getByRole("link", { name: "Front desk", exact: true }) });
    await expect(row.getByRole("switch", { name: "Active: Front desk", exact: true })).toBeChecked();
    await expect(row.getByText(/^b_/)).toBeVisible();

    // Duplicate: the copy starts turned off.
    await row.getByRole("button", { name: "Duplicate Front desk" }).click();
    await expect(page.getByText(/Created “Front desk \(copy\)”/)).toBeVisible();
    const copy = page
      .getByRole("listitem")
      .filter({ has: page.getByRole("link", { name: "Front desk (copy)", exact: true }) });
    const copySwitch = copy.getByRole("switch", { name: "Active: Front desk (copy)" });
    await expect(copySwitch).not.toBeChecked();
    // The free plan allows one active button: turning on the copy says so, with a way to Billing.
    await copySwitch.click();
    await expect(page.getByText(/plan allows 1 active button/)).toBeVisible();
    await expect(page.getByRole("link", { name: "See plans in Billing" })).toBeVisible();
    await expect(copySwitch).not.toBeChecked();
    expect(await axeSerious(page)).toEqual([]);
    await snap(page, testInfo, "list-desktop");

    // Delete asks first; Escape keeps the button and gives focus back.
    const deleteCopy = copy.getByRole("button", { name: "Delete Front desk (copy)" });
    await deleteCopy.click();
    const dialog = page.getByRole("alertdialog", { name: "Delete “Front desk (copy)”?" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    expect(await axeSerious(page)).toEqual([]);
    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(deleteCopy).toBeFocused();

    await deleteCopy.click();
    await dialog.getByRole("button", { name: "Delete button" }).click();
    await expect(dialog).toBeHidden();
    await expect(copy).toHaveCount(0);
    await expect(page.getByText("“Front desk (copy)” was deleted.")).toBeVisible();
    await expect(page.getByRole("link", { name: "Create a button" })).toBeFocused();

    await page.setViewportSize({ width: 360, height: 780 });
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await snap(page, testInfo, "list-360");
  });

  test("leaving the editor with unsaved changes asks first", async ({ page, server }) => {
    await signUpConfirmedUser(page, server);
    await page.goto("/buttons/new");
    await page.getByLabel("Name", { exact: true }).fill("Half done");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Leave without saving?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Stay on this page" }).click();
    await expect(page).toHaveURL(/\/buttons\/new$/);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Half done");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await dialog.getByRole("button", { name: "Leave without saving" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  });
});
