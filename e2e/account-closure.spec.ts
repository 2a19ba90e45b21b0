import { readFile } from "node:fs/promises";
import { expect, signUpConfirmedUser, test } from "./fixtures";

/**
 * Closing an account from the Account page (with the password), the notice across the portal
 * with the deletion date, and reopening it; plus "Download my data".
 */

const DAY = 24 * 60 * 60 * 1000;
const deletionDay = (at: number) =>
  new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone: "America/New_York" }).format(
    new Date(at + 30 * DAY),
  );

test("an owner downloads their data, closes the account with the password, sees the notice, and reopens it", async ({
  page,
  server,
}) => {
  test.setTimeout(180_000);
  const { email, password } = await signUpConfirmedUser(page, server);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();

  await test.step("Download my data saves a JSON file of the account", async () => {
    const downloading = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download my data" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^click-and-call-data-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await download.path()) as string, "utf8"));
    expect(data.users[0].email).toBe(email);
    expect(JSON.stringify(data)).not.toContain("$argon2");
    await expect(page.getByText(/Downloaded click-and-call-data-/)).toBeVisible();
  });

  const before = Date.now();
  await test.step("the dialog explains what is deleted, and a wrong password is refused on the field", async () => {
    await expect(
      // The card says it up front (the closed dialog holds the same list).
      page.getByText("Billing records (amounts, dates, subscription status) are kept").first(),
    ).toBeVisible();
    await page.getByRole("button", { name: "Close account…" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Close your account?" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByText(/After 30 days we delete the account/)).toBeVisible();
    // Focus starts on Cancel, the safe choice.
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await dialog.getByLabel("Your password").fill("not-my-password-1");
    await dialog.getByRole("button", { name: "Close account", exact: true }).click();
    await expect(dialog.getByLabel("Your password")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByText("That password is not correct.")).toBeVisible();
    await expect(page.getByRole("region", { name: "Account closed" })).toHaveCount(0);

    // The right password, submitted with Enter.
    await dialog.getByLabel("Your password").fill(password);
    await dialog.getByLabel("Your password").press("Enter");
    await expect(dialog).toBeHidden();
  });
  const after = Date.now();

  await test.step("a notice across the portal gives the deletion date", async () => {
    const notice = page.getByRole("region", { name: "Account closed" });
    await expect(notice).toBeVisible();
    const days = [...new Set([deletionDay(before), deletionDay(after)])];
    await expect(notice).toContainText(new RegExp(`will be deleted on (${days.join("|")})`));
    await expect(page.getByRole("heading", { name: "Reopen your account" })).toBeVisible();
    // On every page, not only the Account page.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(notice).toBeVisible();
    await page.reload();
    await expect(notice).toContainText("will be deleted on");
  });

  await test.step("Reopen brings the account back and the notice goes away", async () => {
    const notice = page.getByRole("region", { name: "Account closed" });
    await notice.getByRole("button", { name: "Reopen account" }).click();
    await expect(notice).toHaveCount(0);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await expect(page.getByRole("button", { name: "Close account…" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Account closed" })).toHaveCount(0);
  });
});
