import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests drive Debian's Chromium against the real server, started per worker by the
 * `server` fixture in e2e/fixtures.ts. Build the portal first: `npm run build -w @cac/web`
 * (the root `npm test` does).
 */
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: true,
  // Playwright's default is half the cores: one worker here. Each worker has its own server and
  // database (e2e/fixtures.ts), and the tests mostly wait on pages and timers, so two share 2 cores.
  workers: 2,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  use: {
    ...devices["Desktop Chrome"],
    headless: true,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    // The portal's service worker (a production build registers it) is exercised by push.spec.ts,
    // which allows it; elsewhere every request goes to the server, as the tests expect.
    serviceWorkers: "block",
    launchOptions: {
      // Playwright cannot download browsers here; Debian's package is used instead.
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
      ],
    },
  },
});
