import type { Locator, Page, TestInfo } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import type { Party } from "./call-parties";
import { test as base, expect } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/** The widget's dialog as a visitor meets it on a customer's site: opening it, its form, axe, screenshots. */

export const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

export const MIC_LINE = "Your browser will ask to use your microphone. We never record.";
export const NAME = "Val Visitor";
export const PHONE = "(202) 555-0188";

/** The visitor opens the customer's page and the widget's dialog. */
export async function openDialog(visitor: Party, site: Site, publicId: string) {
  await visitor.page.goto(site.url(publicId));
  await visitor.page.getByRole("button", { name: "Call Acme" }).click();
  const dialog = visitor.page.getByRole("dialog", { name: "Call Acme" });
  await expect(dialog).toBeVisible();
  return dialog;
}

export const form = (dialog: Locator) => dialog.getByRole("form", { name: "Request a callback" });

/** Types the visitor's name and number in the callback form, as a visitor does (key by key). */
export async function typeDetails(dialog: Locator) {
  await form(dialog).getByLabel("Name").pressSequentially(NAME);
  await form(dialog).getByLabel("Phone number").pressSequentially(PHONE);
}

/** The callback form is on screen with what the visitor typed before the state changed. */
export async function expectFormKept(dialog: Locator) {
  await expect(form(dialog)).toBeVisible();
  await expect(form(dialog).getByLabel("Name")).toHaveValue(NAME);
  await expect(form(dialog).getByLabel("Phone number")).toHaveValue(PHONE);
}

/** The header says whose line it is: the company's name (the account's) and the button's label. */
export async function expectHeader(dialog: Locator) {
  await expect(dialog.getByRole("heading", { name: "Acme Plumbing" })).toBeVisible();
}

/** axe on the page with the dialog open (the widget lives in the `click-and-call` shadow root). */
export async function axeDialog(page: Page) {
  await expectNoSeriousA11yViolations(page, "click-and-call");
}

/**
 * The dialog at 390 and 1280 px, named for the state and the widget's theme
 * (`widget-home-390-dark`). Without `theme` the button follows the visitor: it is shot in the
 * light, then the dark color scheme, and axe checks the dark one too (the test checked light).
 */
export async function shots(page: Page, testInfo: TestInfo, state: string, theme?: "light" | "dark") {
  for (const scheme of theme ? [theme] : (["light", "dark"] as const)) {
    if (!theme) await page.emulateMedia({ colorScheme: scheme });
    if (!theme && scheme === "dark") await axeDialog(page);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
      await snap(page, testInfo, `widget-${state}-${width}`, scheme);
    }
  }
  if (!theme) await page.emulateMedia({ colorScheme: "light" });
}
