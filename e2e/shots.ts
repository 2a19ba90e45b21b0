import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import type { Locator, Page, TestInfo } from "@playwright/test";

type Theme = "light" | "dark";

/** The portal's theme as shown: its switch (`data-theme`), else the browser's color scheme. */
function shownTheme(page: Page): Promise<Theme> {
  return page.evaluate(() => {
    const chosen = document.documentElement.dataset.theme;
    if (chosen === "light" || chosen === "dark") return chosen;
    return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  });
}

/**
 * Saves a screenshot (the full page, or one element) in the test's output folder and attaches it
 * to the report. With `SCREENSHOTS_DIR` set (the docs' screenshots), it also keeps a copy there
 * named `<step>-<theme>.png`: the viewport only, so the files stay small. `theme` defaults to the
 * page's own; pass it where the theme is not the page's (the widget's own theme setting).
 */
export async function snap(target: Page | Locator, testInfo: TestInfo, step: string, theme?: Theme) {
  const shoot = (path: string, fullPage: boolean) =>
    "page" in target ? target.screenshot({ path }) : target.screenshot({ path, fullPage });
  const path = testInfo.outputPath(`${step}.png`);
  await shoot(path, true);
  await testInfo.attach(step, { path, contentType: "image/png" });
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  await mkdir(resolve(dir), { recursive: true });
  const page = "page" in target ? target.page() : target;
  await shoot(resolve(dir, `${step}-${theme ?? (await shownTheme(page))}.png`), false);
}

/** Runs `check` (axe) and takes `snap` in the light, then the dark color scheme; ends in light. */
export async function inBothThemes(page: Page, check: () => Promise<void>, shot: () => Promise<void>) {
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    await check();
    await shot();
  }
  await page.emulateMedia({ colorScheme: "light" });
}
