import type { Page } from "@playwright/test";
import { expect, signUpConfirmedUser, test } from "./fixtures";
import { snap } from "./shots";

/** Nothing may be wider than the viewport: no sideways scrolling on a small phone. */
async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "page is wider than the viewport").toBeLessThanOrEqual(clientWidth);
}

for (const viewport of [
  { name: "360px", width: 360, height: 780 },
  { name: "desktop", width: 1280, height: 800 },
]) {
  test.describe(`at ${viewport.name}`, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });
    // Six pages and a signup in one test: give it room on a busy machine.
    test.slow();

    test("public and app pages fit the screen", async ({ page, server }, testInfo) => {
      await page.goto("/signup");
      await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
      await expectNoHorizontalScroll(page);
      await snap(page, testInfo, `${viewport.name}-signup`);

      await page.goto("/login");
      await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
      await expectNoHorizontalScroll(page);
      await snap(page, testInfo, `${viewport.name}-login`);

      await signUpConfirmedUser(page, server);
      await expectNoHorizontalScroll(page);
      await snap(page, testInfo, `${viewport.name}-dashboard`);

      await page.goto("/dev/outbox");
      await expect(page.getByRole("article").first()).toBeVisible();
      await expectNoHorizontalScroll(page);
      await snap(page, testInfo, `${viewport.name}-dev-outbox`);

      for (const path of ["/account", "/buttons"]) {
        await page.goto(path);
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
        if (path === "/account") await expect(page.getByText("This device")).toBeVisible();
        await expectNoHorizontalScroll(page);
        await snap(page, testInfo, `${viewport.name}${path.replace("/", "-")}`);
      }
    });
  });
}

test("keyboard: the skip link comes first and moves focus to the content", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Email")).toBeFocused();
});
