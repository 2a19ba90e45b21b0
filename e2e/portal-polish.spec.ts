import type { Locator, Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { accountWithButton, agentReady, visitorCalls } from "./call-parties";
import { test as base, expect, signUpConfirmedUser } from "./fixtures";
import { accountIdOf, seedAnsweredCalls, seedButton, userIdOf } from "./seed";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * The portal at 390 and 1280 px (issue 15, items 10–14): the call log as cards on a phone, the
 * compact header and its menu, the phone dock keeping clear of the page, and the main screens in
 * light and dark.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

// Each worker has a database of its own, so one fixed address can be the operator's.
const operator = "polish-operator@clickandcall.test";
test.use({ serverEnv: { OPERATOR_EMAILS: operator } });

const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

/** Nothing may be wider than the viewport: no sideways scrolling of the page. */
async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth };
  });
  expect(scrollWidth, "page is wider than the viewport").toBeLessThanOrEqual(clientWidth);
}

async function box(locator: Locator) {
  const rect = await locator.boundingBox();
  if (!rect) throw new Error("not rendered");
  return rect;
}

function intersects(
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
) {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test.describe("at 390 px", () => {
  test.use({ viewport: phone });

  test("the call log shows each call as a card, with nothing to scroll sideways", async ({
    page,
    server,
  }, testInfo) => {
    const { email } = await signUpConfirmedUser(page, server);
    const accountId = await accountIdOf(server, email);
    const buttonId = await seedButton(server, accountId, "Emergency plumbing, main website");
    await seedAnsweredCalls(server, accountId, buttonId, 6, await userIdOf(server, email));
    await page.goto("/calls");
    await expect(page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();

    const log = page.locator("#call-log").getByRole("region", { name: "Call log" });
    const cards = log.locator("tbody tr");
    await expect(cards).toHaveCount(6);
    // One data source: the table's rows, shown as cards. The column headings are hidden from view
    // (screen readers keep them) and each cell shows its own label instead.
    expect((await box(log.locator("thead"))).height).toBeLessThanOrEqual(1);
    const first = cards.first();
    for (const label of ["Time", "Button", "Duration", "Status", "Answered by"]) {
      const cell = first.locator(`td[data-label^="${label}"]`);
      await expect(cell).toBeVisible();
      const rect = await box(cell);
      expect(rect.x, `${label} starts on screen`).toBeGreaterThanOrEqual(0);
      expect(rect.x + rect.width, `${label} ends on screen`).toBeLessThanOrEqual(phone.width);
    }
    await expect(first).toContainText("Emergency plumbing, main website");
    await expect(first).toContainText("Completed");
    await expect(first).toContainText("Dana Owner");
    // Still a table to assistive technology: a header row, then rows of cells.
    const table = log.getByRole("table");
    await expect(table.getByRole("columnheader", { name: "Answered by" })).toBeAttached();
    await expect(
      table.getByRole("row").nth(1).getByRole("cell", { name: "Dana Owner", exact: true }),
    ).toBeVisible();
    // Cards stack: the second is below the first, not beside it.
    expect((await box(cards.nth(1))).y).toBeGreaterThan((await box(first)).y + 40);
    // Neither the page nor the log's own region scrolls sideways.
    await expectNoHorizontalScroll(page);
    const region = await log.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(region.scroll, "the log scrolls sideways").toBeLessThanOrEqual(region.client);

    // Notes open under their card and still fit.
    await first.getByRole("button", { name: /Add notes/ }).click();
    await expect(page.getByLabel("Add a note")).toBeVisible();
    await expectNoHorizontalScroll(page);
    await snap(page, testInfo, "calls-cards-390");
    await expectNoSeriousA11yViolations(page);
  });

  test("the header is one compact row whose menu works by keyboard", async ({ page, server }, testInfo) => {
    await signUpConfirmedUser(page, server);
    const header = page.getByRole("banner");
    const menu = header.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav).toBeHidden();
    expect((await box(header)).height, "header height").toBeLessThanOrEqual(64);
    // The page starts right under the header and the availability strip.
    expect((await box(page.locator("main"))).y, "content top").toBeLessThanOrEqual(130);
    await snap(page, testInfo, "header-390-closed");

    // From the top of a fresh page: the skip link, the brand, then the Menu button.
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to main content" })).toBeFocused();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await expect(menu).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect(nav).toBeVisible();
    await expect(header.getByRole("button", { name: "Log out" })).toBeVisible();
    await page.keyboard.press("Tab");
    await expect(nav.getByRole("link", { name: "Dashboard" })).toBeFocused();
    await snap(page, testInfo, "header-390-open");
    await expectNoSeriousA11yViolations(page);

    // Escape closes it and gives focus back to its button.
    await page.keyboard.press("Escape");
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav).toBeHidden();
    await expect(menu).toBeFocused();

    // Space opens it again; following a link goes there and closes it.
    await page.keyboard.press("Space");
    await expect(nav).toBeVisible();
    for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
    await expect(nav.getByRole("link", { name: "Calls" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
    await expect(page).toHaveURL(/\/calls$/);
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav).toBeHidden();
    await expectNoHorizontalScroll(page);

    // The same header and menu in the dark theme.
    await page.getByLabel("Theme").selectOption("Dark");
    await menu.click();
    await expect(nav).toBeVisible();
    await snap(page, testInfo, "header-390-open-dark");
    await expectNoSeriousA11yViolations(page);
  });
});

test.describe("at 1280 px", () => {
  test.use({ viewport: desktop });

  test("the main navigation is inline and its focus ring is not cut off", async ({ page, server }) => {
    await signUpConfirmedUser(page, server);
    await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav).toBeVisible();
    const link = nav.getByRole("link", { name: "Buttons" });
    await link.focus();
    await expect(link).toBeFocused();
    // The ring (3 px outline, 2 px out) fits inside the list's scroll box, which clips what is outside.
    const room = await link.evaluate((el) => {
      const list = el.closest("ul") as HTMLElement;
      const a = el.getBoundingClientRect();
      const l = list.getBoundingClientRect();
      const style = getComputedStyle(el);
      const ring = Number.parseFloat(style.outlineWidth) + Number.parseFloat(style.outlineOffset);
      return { ring, top: a.top - l.top, bottom: l.bottom - a.bottom, left: a.left - l.left };
    });
    expect(room.ring).toBeGreaterThan(0);
    expect(room.top).toBeGreaterThanOrEqual(room.ring);
    expect(room.bottom).toBeGreaterThanOrEqual(room.ring);
  });

  test("the phone dock keeps clear of the Calls filters and the footer, and minimizes", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    test.setTimeout(300_000);
    const { api, button } = await accountWithButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    const page = agent.page;
    await page.setViewportSize(desktop);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
    const visitor = await visitorCalls(browser, site, button.publicId);
    try {
      const ring = page.getByRole("article", { name: "Main site" });
      await expect(ring.getByRole("button", { name: "Answer" })).toBeFocused();
      const dock = page.locator(".phone-dock");
      const filters = page.getByRole("form", { name: "Filter calls" });
      const footer = page.getByRole("contentinfo");
      // The page keeps a column for the dock: at any scroll, the filters are beside it.
      await filters.scrollIntoViewIfNeeded();
      expect(intersects(await box(dock), await box(filters)), "dock over the filters").toBe(false);
      await footer.scrollIntoViewIfNeeded();
      expect(intersects(await box(dock), await box(footer)), "dock over the footer").toBe(false);
      await snap(page, testInfo, "dock-1280-ringing");

      // Answered, the card can be minimized to a bar, and that choice is remembered.
      await ring.getByRole("button", { name: "Answer" }).click();
      const card = page.getByRole("article", { name: "Main site" });
      await expect(card).toContainText("Connected", { timeout: 30_000 });
      const minimize = page.getByRole("button", { name: "Minimize the phone panel" });
      await minimize.click();
      await expect(card).toBeHidden();
      const show = page.getByRole("button", { name: "Show the phone panel" });
      await expect(show).toBeFocused();
      await expect(show).toHaveAttribute("aria-expanded", "false");
      await expect(page.locator(".phone-dock-summary")).toHaveText("Connected: Main site");
      expect(await page.evaluate(() => localStorage.getItem("cac.phone-dock"))).toBe("minimized");
      await footer.scrollIntoViewIfNeeded();
      expect(intersects(await box(dock), await box(footer)), "minimized dock over the footer").toBe(false);
      await snap(page, testInfo, "dock-1280-minimized");
      await expectNoSeriousA11yViolations(page);

      await show.click();
      await expect(card).toBeVisible();
      await card.getByRole("button", { name: "Hang up" }).click();
      await expect(card).toContainText("Call ended");
    } finally {
      await visitor.context.close();
      await agent.context.close();
    }
  });
});

const mainScreens = [
  { path: "/", heading: /welcome/i },
  { path: "/calls", heading: "Calls" },
  { path: "/callbacks", heading: "Callbacks" },
  { path: "/buttons", heading: "Buttons" },
  { path: "/team", heading: "Team" },
  { path: "/billing", heading: "Billing" },
  { path: "/account", heading: "Account" },
];

async function bodyBackground(page: Page) {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test.describe("themes", () => {
  // Seven screens, twice, each with axe.
  test.describe.configure({ timeout: 240_000 });

  for (const theme of ["light", "dark"] as const) {
    test(`the main screens pass axe in ${theme}`, async ({ page, server }, testInfo) => {
      // The switch wins over the system's preference: start from the opposite one.
      await page.emulateMedia({ colorScheme: theme === "dark" ? "light" : "dark" });
      await signUpConfirmedUser(page, server);
      await page.getByLabel("Theme").selectOption(theme === "dark" ? "Dark" : "Light");
      await expect(page.locator("html")).toHaveAttribute("data-theme", theme);
      for (const screen of mainScreens) {
        await page.goto(screen.path);
        await expect(page.getByRole("heading", { level: 1, name: screen.heading })).toBeVisible();
        await expect(page.locator("main .ui-skeleton")).toHaveCount(0);
        await expectNoSeriousA11yViolations(page);
        await snap(
          page,
          testInfo,
          `${theme}${screen.path === "/" ? "-dashboard" : screen.path.replace("/", "-")}`,
        );
      }
      const background = await bodyBackground(page);
      expect(background).toBe(theme === "dark" ? "rgb(14, 17, 23)" : "rgb(245, 246, 248)");
    });
  }

  test("System follows prefers-color-scheme; a choice is remembered by the browser", async ({
    page,
    server,
  }) => {
    await page.emulateMedia({ colorScheme: "dark" });
    await signUpConfirmedUser(page, server);
    const theme = page.getByLabel("Theme");
    await expect(theme).toHaveValue("system");
    await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.*/);
    expect(await bodyBackground(page)).toBe("rgb(14, 17, 23)");
    await page.emulateMedia({ colorScheme: "light" });
    expect(await bodyBackground(page)).toBe("rgb(245, 246, 248)");

    await theme.selectOption("Dark");
    await page.reload();
    await expect(page.getByLabel("Theme")).toHaveValue("dark");
    expect(await bodyBackground(page)).toBe("rgb(14, 17, 23)");
    // Public pages follow the same choice.
    await page.goto("/contact");
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  });
});

test.describe("the operators' policy notice form", () => {
  test("its Summary box has a border and a focus ring, in light and dark", async ({
    page,
    server,
  }, testInfo) => {
    await signUpConfirmedUser(page, server, operator);
    await page.goto("/operator/policies");
    await expect(page.getByRole("heading", { level: 1, name: "Policy notices" })).toBeVisible();
    const summary = page.getByLabel("Summary of the changes");
    for (const theme of ["Light", "Dark"]) {
      await page.getByLabel("Theme").selectOption(theme);
      const idle = await summary.evaluate((el) => {
        const style = getComputedStyle(el);
        return { style: style.borderTopStyle, width: Number.parseFloat(style.borderTopWidth) };
      });
      expect(idle).toEqual({ style: "solid", width: 1 });
      await summary.focus();
      const focused = await summary.evaluate((el) => {
        const style = getComputedStyle(el);
        return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
      });
      expect(focused).toEqual({ style: "solid", width: 3 });
      await snap(page, testInfo, `policies-summary-${theme.toLowerCase()}`);
      await expectNoSeriousA11yViolations(page);
    }
  });
});
