import type { Page, TestInfo } from "@playwright/test";

/** Saves a full-page screenshot in the test's output folder and attaches it to the report. */
export async function snap(page: Page, testInfo: TestInfo, step: string) {
  const path = testInfo.outputPath(`${step}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(step, { path, contentType: "image/png" });
}
