import { abuseFlags, callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { expectNoSeriousA11yViolations } from "./a11y";
import { type E2eServer, expect, signUpConfirmedUser, test } from "./fixtures";
import { accountIdOf, seedButton } from "./seed";
import { snap } from "./shots";

// Each worker has a database of its own, so one fixed address can be the operator's.
const OPERATOR_EMAIL = "abuse-operator@clickandcall.test";

test.use({ serverEnv: { OPERATOR_EMAILS: OPERATOR_EMAIL } });
test.describe.configure({ timeout: 180_000 });

/** One finished call from `ip` on a button of the account, as the log would hold it. */
async function seedCall(server: E2eServer, accountId: string, ip: string) {
  const buttonId = await seedButton(server, accountId);
  const startedAt = new Date(Date.now() - 60 * 60 * 1000);
  await server.db.insert(callSessions).values({
    accountId,
    buttonId,
    transport: "webrtc",
    status: "completed",
    visitorIp: ip,
    startedAt,
    answeredAt: new Date(startedAt.getTime() + 5_000),
    endedAt: new Date(startedAt.getTime() + 65_000),
    durationSeconds: 60,
  });
}

test("an operator sees an automatically flagged IP, clears it, and finds it among the cleared flags", async ({
  page,
  server,
}, testInfo) => {
  await signUpConfirmedUser(page, server, OPERATOR_EMAIL);
  const ip = "203.0.113.66";
  const [flag] = await server.db
    .insert(abuseFlags)
    .values({
      ip,
      reason: "Started more than 40 calls within an hour.",
      source: "auto",
      expiresAt: new Date(Date.now() + 24 * 60 * 60 * 1000),
    })
    .returning();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Flagged IPs" })).toBeVisible();
  const table = page.getByRole("region", { name: "Flags" }).getByRole("table");
  const row = table.getByRole("row").filter({ hasText: ip });
  await expect(row).toContainText("Started more than 40 calls within an hour.");
  await expect(row).toContainText("Automatic");
  await expect(row).toContainText("Active");
  await expectNoSeriousA11yViolations(page, "main");
  await snap(page, testInfo, "operator-flags");

  await row.getByRole("button", { name: `Clear the flag on ${ip}` }).click();
  const dialog = page.getByRole("dialog", { name: `Clear the flag on ${ip}?` });
  await expect(dialog).toBeVisible();
  await snap(page, testInfo, "operator-clear-dialog");
  await dialog.getByRole("button", { name: "Clear flag" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`The flag on ${ip} is cleared. It can call again.`)).toBeVisible();
  await expect(page.getByRole("heading", { name: "No active flags" })).toBeVisible();

  // The filter lives in the URL, so the radio shows checked once the navigation settles.
  await page.getByRole("radio", { name: "Cleared" }).click();
  await expect(page.getByRole("radio", { name: "Cleared" })).toBeChecked();
  const cleared = page.getByRole("region", { name: "Flags" }).getByRole("row").filter({ hasText: ip });
  await expect(cleared).toContainText("Cleared");
  await expect(cleared.getByRole("button", { name: /clear the flag/i })).toHaveCount(0);
  const [row2] = await server.db.select().from(abuseFlags).where(eq(abuseFlags.id, flag!.id));
  expect(row2?.clearedAt).not.toBeNull();

  // The IP's security events show who cleared it.
  await cleared.getByRole("link", { name: ip }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Security events" })).toBeVisible();
  const events = page.getByRole("region", { name: "Security events" });
  await expect(events.getByRole("row").filter({ hasText: "Flag cleared" })).toContainText(OPERATOR_EMAIL);
  await expectNoSeriousA11yViolations(page, "main");
  await snap(page, testInfo, "operator-events");
});

test("an owner blocks a caller's IP from the call log and unblocks it; the operator pages are not theirs", async ({
  page,
  server,
}, testInfo) => {
  const { email } = await signUpConfirmedUser(page, server);
  const ip = "198.51.100.44";
  await seedCall(server, await accountIdOf(server, email), ip);

  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Operator" }),
  ).toHaveCount(0);
  await page.goto("/operator/flags");
  await expect(page.getByText("This page is for Click & Call operators.")).toBeVisible();

  await page.goto("/calls");
  await expect(page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No blocked IPs" })).toBeVisible();
  const log = page.getByRole("region", { name: "Call log" });
  await log.getByRole("button", { name: `Block IP ${ip}` }).click();
  const dialog = page.getByRole("alertdialog", { name: `Block calls from ${ip}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Reason").fill("Prank calls");
  await snap(page, testInfo, "calls-block-dialog");
  await dialog.getByRole("button", { name: "Block IP" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByText(`${ip} is blocked. Calls from it to your buttons are refused.`)).toBeVisible();
  const row = log.getByRole("row").filter({ hasText: ip });
  await expect(row.getByText("Blocked", { exact: true })).toBeVisible();
  const blockedList = page.getByRole("list", { name: "Blocked IPs" });
  await expect(blockedList).toContainText(ip);
  await expect(blockedList).toContainText("Prank calls");
  await snap(page, testInfo, "calls-blocked");
  const [block] = await server.db.select().from(abuseFlags).where(eq(abuseFlags.ip, ip));
  expect(block).toMatchObject({ source: "customer", accountId: await accountIdOf(server, email) });

  await blockedList.getByRole("button", { name: `Unblock ${ip}` }).click();
  await expect(page.getByText(`${ip} is unblocked. It can call your buttons again.`)).toBeVisible();
  await expect(page.getByRole("heading", { name: "No blocked IPs" })).toBeVisible();
  await expect(log.getByRole("button", { name: `Block IP ${ip}` })).toBeVisible();
});
