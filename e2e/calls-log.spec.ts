import { readFile } from "node:fs/promises";
import { callSessions } from "@cac/db";
import type { Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { type E2eServer, expect, signUpConfirmedUser, test } from "./fixtures";
import { accountIdOf, seedButton } from "./seed";
import { snap } from "./shots";

type Status = (typeof callSessions.$inferInsert)["status"];

const HOUR = 60 * 60 * 1000;

// Seeding, a full table and axe take a while on a busy machine.
test.describe.configure({ timeout: 240_000 });

/**
 * The seeded log: 56 calls over the last 9 days on two buttons, one of them still in progress.
 * 38 completed, 10 no-answer, 5 failed, 2 canceled, 1 in progress.
 */
const plan: Array<{ status: Status; count: number; duration: (i: number) => number }> = [
  { status: "completed", count: 38, duration: (i) => 30 + ((i * 37) % 300) },
  { status: "no-answer", count: 10, duration: () => 0 },
  { status: "failed", count: 5, duration: () => 0 },
  { status: "canceled", count: 2, duration: () => 0 },
];

async function seedCalls(server: E2eServer, accountId: string) {
  const website = await seedButton(server, accountId, "Website");
  const pricing = await seedButton(server, accountId, "Pricing page");
  const now = Date.now();
  const rows: Array<typeof callSessions.$inferInsert> = [];
  let n = 0;
  for (const group of plan) {
    for (let i = 0; i < group.count; i++) {
      n++;
      const startedAt = new Date(now - (n * 4 + 1) * HOUR);
      const duration = group.duration(i);
      const answered = group.status === "completed";
      rows.push({
        accountId,
        buttonId: n % 3 === 0 ? pricing : website,
        transport: n % 4 === 0 ? "twilio" : "webrtc",
        status: group.status,
        visitorIp: `203.0.113.${n}`,
        pageUrl: n % 3 === 0 ? "https://acme-plumbing.com/pricing" : "https://acme-plumbing.com/",
        failureReason: group.status === "failed" ? "The visitor's microphone was blocked." : null,
        startedAt,
        answeredAt: answered ? new Date(startedAt.getTime() + 8_000) : null,
        endedAt: new Date(startedAt.getTime() + 8_000 + duration * 1000),
        durationSeconds: duration,
      });
    }
  }
  // A phone call in progress (phone calls are not closed by the connection sweeper).
  rows.push({
    accountId,
    buttonId: website,
    transport: "twilio",
    status: "in-progress",
    visitorIp: "198.51.100.7",
    pageUrl: "https://acme-plumbing.com/contact",
    startedAt: new Date(now - 60_000),
    answeredAt: new Date(now - 45_000),
  });
  await server.db.insert(callSessions).values(rows);
  return { total: rows.length };
}

async function openCalls(page: Page) {
  await page.goto("/calls");
  await expect(page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
}

function logTable(page: Page) {
  return page.getByRole("region", { name: "Call log" }).getByRole("table");
}

function total(page: Page, label: string) {
  return page
    .locator(".calls-total")
    .filter({ has: page.getByText(label, { exact: true }) })
    .locator("dd");
}

test("a new account sees the empty call log", async ({ page, server }) => {
  await signUpConfirmedUser(page, server);
  await openCalls(page);
  await expect(
    page.getByRole("heading", { name: "No calls yet — they appear here when visitors use your buttons" }),
  ).toBeVisible();
  await expect(page.getByText("No calls in progress.")).toBeVisible();
  await expectNoSeriousA11yViolations(page);
});

test.describe("with seeded calls", () => {
  test("lists, filters, totals, charts and exports the calls", async ({ page, server }, testInfo) => {
    const { email } = await signUpConfirmedUser(page, server);
    const accountId = await accountIdOf(server, email);
    const { total: seeded } = await seedCalls(server, accountId);
    expect(seeded).toBe(56);

    await openCalls(page);
    // Calls in progress.
    const live = page.getByRole("region", { name: "Calls in progress" });
    await expect(live.getByRole("listitem")).toHaveCount(1);
    await expect(live).toContainText("Talking for");
    await expect(live).toContainText("198.51.100.7");

    // The first page, then the rest.
    const rows = logTable(page).locator("tbody tr");
    await expect(rows).toHaveCount(50);
    await expect(logTable(page).getByRole("columnheader", { name: /^Time/ })).toBeVisible();
    await expect(rows.first()).toContainText("In progress");
    await expect(rows.first()).toContainText("198.51.100.7");
    await expect(page.getByText("Showing the latest 50 calls.")).toBeVisible();
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(rows).toHaveCount(56);
    await expect(page.getByText("Showing all 56 calls.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);

    // Totals of everything.
    await expect(total(page, "Calls")).toHaveText("56");
    await expect(total(page, "Answered")).toHaveText("39");
    await expect(total(page, "Answer rate")).toHaveText("70%");

    // Charts: uPlot is loaded on demand and draws on canvases.
    for (const id of ["chart-calls", "chart-minutes", "chart-answer-rate"]) {
      await expect(page.getByTestId(`${id}-canvas`).locator("canvas").first()).toBeAttached();
    }
    await expect(page.getByRole("figure", { name: "Calls per day" })).toContainText("56 calls");

    await page.setViewportSize({ width: 1280, height: 900 });
    await snap(page, testInfo, "calls-desktop");
    await expectNoSeriousA11yViolations(page);

    // Filter by status: the table, the totals and the address follow.
    const status = page.getByRole("group", { name: /^Status/ });
    // The filters live in the address; the box shows checked once the navigation has applied.
    await status.getByLabel("No answer").click();
    await expect(status.getByLabel("No answer")).toBeChecked();
    await expect(page).toHaveURL(/status=no-answer/);
    await expect(rows).toHaveCount(10);
    for (const badge of await rows.locator(".ui-badge").allTextContents()) expect(badge).toBe("No answer");
    await expect(total(page, "Calls")).toHaveText("10");
    await expect(total(page, "Answer rate")).toHaveText("0%");
    await status.getByLabel("Failed").click();
    await expect(status.getByLabel("Failed")).toBeChecked();
    await expect(rows).toHaveCount(15);
    await expect(total(page, "Calls")).toHaveText("15");
    await expect(rows.filter({ hasText: "The visitor's microphone was blocked." })).toHaveCount(5);

    // Export the filtered set, slowly enough to watch the progress bar.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 300,
      downloadThroughput: 1024,
      uploadThroughput: -1,
    });
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Export CSV" }).click();
    const progress = page.getByRole("progressbar", { name: "Exporting calls" });
    await expect(progress).toBeVisible();
    await expect(page.getByRole("button", { name: "Cancel export" })).toBeVisible();
    await expect(progress).toHaveAttribute("aria-valuemax", "15");
    await snap(page, testInfo, "calls-exporting");
    const download = await downloading;
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    expect(download.suggestedFilename()).toMatch(/^calls-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), "utf8");
    const lines = csv
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]).toContain("Call ID");
    expect(lines).toHaveLength(1 + 15);
    expect(lines.slice(1).every((line) => /,(no-answer|failed),/.test(line))).toBe(true);
    await expect(page.getByText(/Downloaded calls-.*\.csv: 15 of 15 rows\./)).toBeVisible();
    await expect(progress).toHaveCount(0);

    // Clearing the filters brings every call back.
    await page.getByRole("button", { name: "Clear filters" }).first().click();
    await expect(total(page, "Calls")).toHaveText("56");
  });

  test("an export can be canceled", async ({ page, server }) => {
    const { email } = await signUpConfirmedUser(page, server);
    await seedCalls(server, await accountIdOf(server, email));
    await openCalls(page);
    await expect(logTable(page).locator("tbody tr")).toHaveCount(50);

    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 300,
      downloadThroughput: 512,
      uploadThroughput: -1,
    });
    let downloaded = false;
    page.on("download", () => {
      downloaded = true;
    });
    await page.getByRole("button", { name: "Export CSV" }).click();
    await expect(page.getByRole("progressbar", { name: "Exporting calls" })).toBeVisible();
    await page.getByRole("button", { name: "Cancel export" }).click();
    await expect(page.getByText(/Export canceled after .* rows?\. Nothing was saved\./)).toBeVisible();
    await expect(page.getByRole("button", { name: "Export CSV" })).toBeEnabled();
    expect(downloaded).toBe(false);
  });

  test("fits a 360 px screen", async ({ page, server }, testInfo) => {
    await page.setViewportSize({ width: 360, height: 780 });
    const { email } = await signUpConfirmedUser(page, server);
    await seedCalls(server, await accountIdOf(server, email));
    await openCalls(page);
    await expect(logTable(page).locator("tbody tr")).toHaveCount(50);
    await expect(page.getByTestId("chart-calls-canvas").locator("canvas").first()).toBeAttached();
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth, "page is wider than the viewport").toBeLessThanOrEqual(clientWidth);
    await snap(page, testInfo, "calls-360");
    await expectNoSeriousA11yViolations(page);
  });
});
