import type { Locator, Page, TestInfo } from "@playwright/test";
import sharp from "sharp";
import { expectNoSeriousA11yViolations } from "./a11y";
import { buttonFields } from "./api";
import { expect, signUpConfirmedUser, test } from "./fixtures";
import { inBothThemes, snap } from "./shots";

/**
 * A new button in four steps (look, where calls ring, hours, install) beside its live preview,
 * and the full editor for later changes: its in-page index and its save bar on a phone.
 */

/** The widget's button in the live preview (inside its shadow root). */
const previewButton = (page: Page) => page.locator(".preview-site").getByRole("button");

async function previewBackground(button: Locator) {
  return button.evaluate((el) => getComputedStyle(el).backgroundColor);
}

async function height(locator: Locator) {
  return (await locator.boundingBox())?.height ?? Number.POSITIVE_INFINITY;
}

const stepHeading = (page: Page, n: number, title: string) =>
  page.getByRole("heading", { level: 2, name: `Step ${n} of 4: ${title}` });

const routingForm = (page: Page) => page.getByRole("form", { name: "Call routing" });

/** The routing the wizard test picks: the owner alone, rung in order for 25 seconds. */
async function chooseRouting(routing: Locator) {
  await routing.getByRole("radio", { name: /Chosen members/ }).check();
  await routing.getByRole("checkbox", { name: "Dana Owner" }).check();
  await routing.getByRole("radio", { name: /Ring one after another/ }).check();
}

async function expectRoutingSaved(routing: Locator) {
  await expect(routing.getByRole("radio", { name: /Chosen members/ })).toBeChecked();
  await expect(routing.getByRole("checkbox", { name: "Dana Owner" })).toBeChecked();
  await expect(routing.getByRole("radio", { name: /Ring one after another/ })).toBeChecked();
  await expect(routing.getByLabel("Ring time per member (seconds)")).toHaveValue("25");
}

/** The page's full height, for the report of how long the editor is. */
async function pageHeight(page: Page, testInfo: TestInfo, name: string) {
  const px = await page.evaluate(() => document.documentElement.scrollHeight);
  testInfo.annotations.push({ type: "height", description: `${name}: ${px} px` });
  console.log(`page height, ${name}: ${px} px`);
  return px;
}

test.describe("a new button", () => {
  // Signing up, axe at two widths and four steps take minutes on a loaded machine.
  test.describe.configure({ timeout: 300_000 });
  test.use({ timezoneId: "America/New_York", locale: "en-US" });

  test("four steps with a live preview: Back and a refused save keep what was typed, the logo chosen first is on the created button", async ({
    page,
    server,
  }, testInfo) => {
    await signUpConfirmedUser(page, server);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Buttons" }).click();
    await page.getByRole("link", { name: "Create a button" }).click();
    await expect(page).toHaveURL(/\/buttons\/new$/);
    await expect(stepHeading(page, 1, "Look")).toBeVisible();
    await expect(page.locator("[aria-current=step]")).toContainText("Look");
    const logo = await sharp({ create: { width: 48, height: 48, channels: 4, background: "#b45309" } })
      .png()
      .toBuffer();

    await test.step("step 1: the preview follows the text and colors; a logo is chosen before the first save", async () => {
      await expect(previewButton(page)).toContainText("Call us");
      await page.getByLabel("Button text").fill("Call Acme now");
      await expect(previewButton(page)).toContainText("Call Acme now");
      await page.getByLabel("Background color", { exact: true }).fill("#0f766e");
      await expect.poll(() => previewBackground(previewButton(page))).toBe("rgb(15, 118, 110)");
      await page
        .locator('input[type="file"]')
        .setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: logo });
      await expect(page.getByRole("img", { name: "Chosen logo" })).toBeVisible();
      await expect(page.getByText("Logo chosen. It is uploaded when you create the button.")).toBeVisible();
      // The preview shows the chosen file already.
      await expect(previewButton(page).locator("img")).toHaveAttribute("src", /^blob:/);
      await pageHeight(page, testInfo, "wizard look 1280");
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "wizard-look-1280"),
      );
    });

    await test.step("a refused create (no name) keeps the text, colors and the chosen logo", async () => {
      await page.getByLabel("Name", { exact: true }).fill("");
      await page.getByRole("button", { name: "Create button" }).click();
      const name = page.getByLabel("Name", { exact: true });
      await expect(name).toHaveAttribute("aria-invalid", "true");
      await expect(name).toBeFocused();
      await expect(stepHeading(page, 1, "Look")).toBeVisible();
      await expect(page.getByLabel("Button text")).toHaveValue("Call Acme now");
      await expect(page.getByLabel("Background color", { exact: true })).toHaveValue("#0f766e");
      await expect(page.getByRole("img", { name: "Chosen logo" })).toBeVisible();
      await name.fill("Main site");
      await page.getByRole("button", { name: "Create button" }).click();
      await expect(stepHeading(page, 2, "Where calls ring")).toBeFocused();
    });

    await test.step("step 2: rings the portal by default; a phone number on the free plan is refused and kept", async () => {
      await expect(page.getByRole("checkbox", { name: "Ring in the portal" })).toBeChecked();
      await expect(page.getByRole("heading", { name: "Call routing" })).toBeVisible();
      const phone = page.getByLabel("Phone number (US)");
      await phone.fill("(202) 555-0143");
      await page.getByRole("button", { name: "Next" }).click();
      await expect(phone).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByText("Ringing a phone number needs a paid plan.").first()).toBeVisible();
      await expect(stepHeading(page, 2, "Where calls ring")).toBeVisible();
      await expect(phone).toHaveValue("(202) 555-0143");
      await phone.fill("");
    });

    await test.step("Back keeps every value of step 1, and the logo is on the created button", async () => {
      await page.getByRole("button", { name: "Back" }).click();
      await expect(stepHeading(page, 1, "Look")).toBeVisible();
      await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Main site");
      await expect(page.getByLabel("Button text")).toHaveValue("Call Acme now");
      await expect(page.getByLabel("Background color", { exact: true })).toHaveValue("#0f766e");
      await expect(page.getByRole("img", { name: "Current logo" })).toHaveAttribute(
        "src",
        /\/uploads\/logos\//,
      );
      await expect(previewButton(page).locator("img")).toHaveAttribute("src", /\/uploads\/logos\//);
      await page.getByRole("button", { name: "Next" }).click();
      await expect(stepHeading(page, 2, "Where calls ring")).toBeVisible();
    });

    await test.step("step 2: Next saves the routing without its own Save, and a refused one stays with its reason", async () => {
      const routing = routingForm(page);
      await chooseRouting(routing);
      await expect(page.getByText("Unsaved changes")).toBeVisible();
      // Refused: the step stays, with the reason and every value kept.
      await routing.getByLabel("Ring time per member (seconds)").fill("500");
      await page.getByRole("button", { name: "Next" }).click();
      await expect(routing.getByRole("alert")).toContainText("The routing was not saved");
      await expect(stepHeading(page, 2, "Where calls ring")).toBeVisible();
      await expect(routing.getByLabel("Ring time per member (seconds)")).toHaveValue("500");
      await expect(routing.getByRole("checkbox", { name: "Dana Owner" })).toBeChecked();
      await routing.getByLabel("Ring time per member (seconds)").fill("25");
      await page.getByRole("button", { name: "Next" }).click();
      await expect(stepHeading(page, 3, "Hours")).toBeVisible();
      await page.getByRole("button", { name: "Back" }).click();
      await expect(stepHeading(page, 2, "Where calls ring")).toBeVisible();
      await expectRoutingSaved(routingForm(page));
      await page.getByRole("button", { name: "Next" }).click();
    });

    await test.step("step 3: always open with a callback request by default; the preview follows the hours", async () => {
      await expect(stepHeading(page, 3, "Hours")).toBeVisible();
      await expect(page.getByText("All day").first()).toBeVisible();
      await expect(page.getByRole("radio", { name: /Offer a callback request/ })).toBeChecked();
      await page.getByRole("button", { name: "Closed all week" }).click();
      await expect(previewButton(page)).toContainText("Closed — request a callback");
      await page.getByRole("button", { name: "Weekdays 9–5" }).click();
      await page.getByRole("button", { name: "Next" }).click();
    });

    await test.step("step 4: the signup website allowed, the snippet tabs, the install status, a test call", async () => {
      await expect(stepHeading(page, 4, "Install")).toBeVisible();
      const domains = page.getByRole("list", { name: "Allowed domains" });
      await expect(domains).toContainText("acme-plumbing.com");
      await expect(domains).toContainText("www.acme-plumbing.com");
      await expect(page.getByLabel("Embed snippet")).toHaveValue(/data-button="b_[\w-]+"/);
      await expect(page.getByRole("tab", { name: "WordPress" })).toBeVisible();
      await expect(page.getByText(/Not seen yet/)).toBeVisible();
      const publicId = (await page.getByLabel("Embed snippet").inputValue()).match(
        /data-button="([\w-]+)"/,
      )?.[1];
      await expect(page.getByRole("link", { name: /Make a test call/ })).toHaveAttribute(
        "href",
        `/try/${publicId}`,
      );
      await pageHeight(page, testInfo, "wizard install 1280");
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "wizard-install-1280"),
      );
    });

    await test.step("at 390 px: the preview above the step, a save bar under 64 px, axe clean", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const preview = await page.locator("#preview").boundingBox();
      const heading = await stepHeading(page, 4, "Install").boundingBox();
      expect(preview!.y).toBeLessThan(heading!.y);
      expect(await height(page.locator(".editor-savebar"))).toBeLessThan(64);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - innerWidth),
      ).toBeLessThanOrEqual(0);
      await pageHeight(page, testInfo, "wizard install 390");
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "wizard-install-390"),
      );
      await page.getByRole("button", { name: "Back" }).click();
      // Back keeps the hours chosen on step 3.
      await expect(stepHeading(page, 3, "Hours")).toBeVisible();
      const monday = page.getByRole("listitem").filter({ has: page.getByText("Monday", { exact: true }) });
      await expect(monday.getByLabel("Monday opens at")).toHaveValue("09:00");
      await expectNoSeriousA11yViolations(page);
      await pageHeight(page, testInfo, "wizard hours 390");
      await snap(page, testInfo, "wizard-hours-390");
      await page.getByRole("button", { name: "Back" }).click();
      await page.getByRole("button", { name: "Back" }).click();
      await expect(stepHeading(page, 1, "Look")).toBeVisible();
      await pageHeight(page, testInfo, "wizard look 390");
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "wizard-look-390"),
      );
      await page.setViewportSize({ width: 1280, height: 800 });
    });

    await test.step("Finish opens the editor of the saved button, with its logo and hours", async () => {
      for (const n of [2, 3, 4]) {
        await page.getByRole("button", { name: "Next" }).click();
        await expect(
          stepHeading(page, n, ["", "", "Where calls ring", "Hours", "Install"][n] ?? ""),
        ).toBeVisible();
      }
      await page.getByRole("button", { name: "Finish" }).click();
      await expect(page).toHaveURL(/\/buttons\/[0-9a-f-]{36}$/);
      await expect(page.getByRole("heading", { level: 1, name: "Main site" })).toBeVisible();
      await expect(page.getByRole("img", { name: "Current logo" })).toHaveAttribute(
        "src",
        /\/uploads\/logos\//,
      );
      const src = await page.getByRole("img", { name: "Current logo" }).getAttribute("src");
      const served = await page.request.get(src!);
      expect(served.headers()["content-type"]).toBe("image/png");
      const monday = page.getByRole("listitem").filter({ has: page.getByText("Monday", { exact: true }) });
      await expect(monday.getByLabel("Monday opens at")).toHaveValue("09:00");
    });

    await test.step("the editor, reloaded, has the routing saved by Next; its leave guard covers routing changes", async () => {
      await page.reload();
      const routing = routingForm(page);
      await expectRoutingSaved(routing);
      await routing.getByRole("radio", { name: /Ring everyone at once/ }).check();
      // The save bar's link (the header has its own).
      const allButtons = page
        .getByRole("form", { name: "Button settings" })
        .getByRole("link", { name: "All buttons" });
      await allButtons.click();
      const leave = page.getByRole("alertdialog", { name: "Leave without saving?" });
      await expect(leave).toBeVisible();
      await leave.getByRole("button", { name: "Stay on this page" }).click();
      await expect(page).toHaveURL(/\/buttons\/[0-9a-f-]{36}$/);
      await routing.getByRole("button", { name: "Save routing" }).click();
      await expect(routing.getByText("Routing saved.")).toBeVisible();
      await allButtons.click();
      await expect(page).toHaveURL(/\/buttons$/);
    });
  });
});

test.describe("the button editor", () => {
  test.describe.configure({ timeout: 300_000 });

  test("an in-page index of its sections (a disclosure at 390 px) and a save bar under 64 px on a phone", async ({
    page,
    server,
  }, testInfo) => {
    await signUpConfirmedUser(page, server);
    const res = await page.request.post(`${server.url}/trpc/buttons.create`, {
      headers: { origin: server.url, "content-type": "application/json" },
      data: { json: buttonFields() },
    });
    expect(res.ok(), await res.text()).toBe(true);
    const { id } = (await res.json()).result.data.json as { id: string };
    await page.goto(`/buttons/${id}`);
    const index = page.getByRole("navigation", { name: "Button settings sections" });

    await test.step("1280 px: the index stays in view and takes you to a section", async () => {
      await expect(page.getByRole("heading", { level: 1, name: "Main site" })).toBeVisible();
      await expect(page.locator(".preview-site")).toBeVisible();
      await pageHeight(page, testInfo, "editor 1280");
      await index.getByRole("link", { name: "Opening hours" }).click();
      await expect(page).toHaveURL(/#hours$/);
      const title = page.getByRole("heading", { level: 2, name: "Opening hours" });
      await expect(title).toBeInViewport();
      // Still there, and not covering the section's title.
      await expect(index).toBeInViewport();
      const bar = await index.boundingBox();
      expect((await title.boundingBox())!.y).toBeGreaterThanOrEqual(bar!.y + bar!.height);
      await index.getByRole("link", { name: "Call routing" }).click();
      await expect(page.getByRole("heading", { level: 2, name: "Call routing" })).toBeInViewport();
      await page.evaluate(() => window.scrollTo(0, 0));
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "editor-1280"),
      );
    });

    await test.step("390 px: a compact disclosure, and the save bar under 64 px", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => window.scrollTo(0, 0));
      await pageHeight(page, testInfo, "editor 390");
      await page.getByLabel("Button text").fill("Call Acme today");
      await expect(page.getByText("Unsaved changes")).toBeVisible();
      expect(await height(page.locator(".editor-savebar"))).toBeLessThan(64);
      await page.getByText("Go to a section").click();
      await index.getByRole("link", { name: "Allowed websites" }).click();
      await expect(page.getByRole("heading", { level: 2, name: "Allowed websites" })).toBeInViewport();
      // The list closes once used, so it does not cover the section.
      await expect(index.getByRole("link", { name: "Allowed websites" })).toBeHidden();
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - innerWidth),
      ).toBeLessThanOrEqual(0);
      await expectNoSeriousA11yViolations(page);
      await page.getByRole("button", { name: "Save changes" }).click();
      await expect(page.getByText("All changes saved.")).toBeVisible();
      expect(await height(page.locator(".editor-savebar"))).toBeLessThan(64);
      await page.evaluate(() => window.scrollTo(0, 0));
      await inBothThemes(
        page,
        () => expectNoSeriousA11yViolations(page),
        () => snap(page, testInfo, "editor-390"),
      );
    });

    await test.step("the new-button wizard's height, for comparison", async () => {
      await page.goto("/buttons/new");
      await expect(page.locator(".preview-site")).toBeVisible();
      await pageHeight(page, testInfo, "wizard step 1 390");
      await page.setViewportSize({ width: 1280, height: 800 });
      await pageHeight(page, testInfo, "wizard step 1 1280");
    });
  });
});
