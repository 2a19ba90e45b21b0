import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { company, expect, PASSWORD, signUpConfirmedUser, test, uniqueEmail } from "./fixtures";
import { snap } from "./shots";

async function logIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("signs up, confirms the email from the dev outbox, logs out and logs back in", async ({
  page,
}, testInfo) => {
  const email = uniqueEmail();

  await page.goto("/signup");
  await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
  await page.getByLabel("Your name").fill(company.name);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Company name").fill(company.companyName);
  await page.getByLabel("Website").fill(company.website);
  await page.getByLabel("Phone number (US)").fill(company.phone);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("I confirm that I am 18 or older").check();
  await expect(page.getByRole("contentinfo")).toContainText("dev outbox");
  await snap(page, testInfo, "01-signup");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();
  await expect(page.getByText(email)).toBeVisible();
  await snap(page, testInfo, "02-check-inbox");
  await page.getByRole("main").getByRole("link", { name: "Open the dev outbox" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Dev outbox" })).toBeVisible();
  const message = page.getByRole("article").filter({ hasText: email });
  await expect(message.getByRole("heading", { name: "Confirm your email for Click & Call" })).toBeVisible();
  await snap(page, testInfo, "03-dev-outbox");
  await message.getByRole("link", { name: /\/verify-email\?token=/ }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Welcome, Dana" })).toBeVisible();
  await expect(page.getByText("Your email address is confirmed.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Resend confirmation email" })).toHaveCount(0);
  await snap(page, testInfo, "04-dashboard");

  await page.getByRole("banner").getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText("You are logged out.")).toBeVisible();
  await snap(page, testInfo, "05-login");
  await logIn(page, email, PASSWORD);

  await expect(page.getByRole("heading", { level: 1, name: "Welcome, Dana" })).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }),
  ).toHaveAttribute("aria-current", "page");
  await snap(page, testInfo, "06-dashboard-after-login");
});

test("a wrong password shows the error and keeps what was typed", async ({ page, server }) => {
  const { email } = await signUpConfirmedUser(page, server);
  await page.context().clearCookies();

  await page.goto("/login");
  await logIn(page, email, "not-the-password-at-all");

  const alert = page.getByRole("alert");
  await expect(alert).toContainText("The email or password is incorrect.");
  await expect(page.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("not-the-password-at-all");
  await expect(page.getByRole("button", { name: "Log in" })).toBeEnabled();
  await expect(page).toHaveURL(/\/login$/);
});

test("signup shows each server message next to its field", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Work email").fill("not-an-email");
  await page.getByLabel("Phone number (US)").fill("12");
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(page.getByRole("alert").first()).toContainText("Some fields need your attention.");
  const name = page.getByLabel("Your name");
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(name).toHaveAccessibleDescription(/Enter your name\./);
  await expect(page.getByLabel("Work email")).toHaveAccessibleDescription(/Enter a valid email address/);
  await expect(page.getByLabel("Phone number (US)")).toHaveAccessibleDescription(/valid US phone number/);
  await expect(page.getByLabel("I confirm that I am 18 or older")).toHaveAccessibleDescription(
    "You must confirm that you are 18 or older.",
  );
  // Focus goes to the first field to fix, and nothing typed is lost.
  await expect(name).toBeFocused();
  await expect(page.getByLabel("Work email")).toHaveValue("not-an-email");

  // Editing a field clears its message; the others stay until the next submit.
  await name.fill("Dana Owner");
  await expect(name).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Work email")).toHaveAttribute("aria-invalid", "true");
});

test("an app page visited while logged out asks to log in, then returns there", async ({ page, server }) => {
  const { email } = await signUpConfirmedUser(page, server);
  await page.context().clearCookies();

  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=%2Faccount$/);
  await logIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
});

test("an unconfirmed user sees the banner and can resend the confirmation email", async ({ page }) => {
  const email = uniqueEmail();
  // Sign up through the form, then log in without confirming.
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(company.name);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Company name").fill(company.companyName);
  await page.getByLabel("Website").fill(company.website);
  await page.getByLabel("Phone number (US)").fill(company.phone);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("I confirm that I am 18 or older").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();

  await page.goto("/login");
  await logIn(page, email, PASSWORD);
  const banner = page.getByRole("region", { name: "Email confirmation" });
  await expect(banner).toContainText("Confirm your email address.");
  await banner.getByRole("button", { name: "Resend confirmation email" }).click();
  await expect(banner).toContainText(`We sent a new link to ${email}.`);
});

test("resets a forgotten password from the emailed link", async ({ page, server }, testInfo) => {
  const { email } = await signUpConfirmedUser(page, server);
  await page.context().clearCookies();

  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Check your inbox" })).toBeVisible();
  await snap(page, testInfo, "forgot-password");

  await page.getByRole("main").getByRole("link", { name: "Open the dev outbox" }).click();
  const message = page.getByRole("article").filter({ hasText: "Reset your Click & Call password" });
  await message.getByRole("link", { name: /\/reset-password\?token=/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  const resetUrl = page.url();
  await page.getByLabel("New password").fill("short");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByLabel("New password")).toHaveAccessibleDescription(/Use at least 10 characters\./);
  await snap(page, testInfo, "reset-password-error");
  await page.getByLabel("New password").fill("a-brand-new-passphrase-9");
  await page.getByRole("button", { name: "Set new password" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Welcome, Dana" })).toBeVisible();
  await expect(page.getByText("Your new password is set and you are logged in.")).toBeVisible();

  // The link works once.
  await page.goto(resetUrl);
  await page.getByLabel("New password").fill("yet-another-passphrase-3");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert")).toContainText("This reset link is invalid, already used or expired.");
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
});

test("a confirmation link that does not work says so and offers a way forward", async ({
  page,
}, testInfo) => {
  await page.goto("/verify-email?token=not-a-real-token-123");
  await expect(
    page.getByRole("heading", { level: 1, name: "We could not confirm your email" }),
  ).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("This confirmation link is invalid or has expired.");
  await expect(page.getByRole("main").getByRole("link", { name: "Log in" })).toBeVisible();
  await snap(page, testInfo, "verify-email-failed");

  await page.goto("/verify-email");
  await expect(page.getByRole("alert")).toContainText("This confirmation link is incomplete.");
});

test.describe("account settings", () => {
  test("edits the profile, lists sessions, and changes the password", async ({ page, server }, testInfo) => {
    const { email } = await signUpConfirmedUser(page, server);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();

    const profile = page.getByRole("region", { name: "Profile" });
    await expect(profile.getByLabel("Company name")).toHaveValue(company.companyName);
    await profile.getByLabel("Company name").fill("Acme Plumbing & Heating");
    await profile.getByRole("button", { name: "Save profile" }).click();
    await expect(profile.getByText("Profile saved.")).toBeVisible();
    await expect(page.getByRole("banner")).toContainText("Acme Plumbing & Heating");

    const sessions = page.getByRole("region", { name: "Sessions" });
    await expect(sessions.getByText("This device")).toBeVisible();
    await snap(page, testInfo, "account");

    const password = page.getByRole("region", { name: "Password" });
    await password.getByLabel("Current password").fill("wrong-current-password");
    await password.getByLabel("New password").fill("another-long-passphrase-7");
    await password.getByRole("button", { name: "Change password" }).click();
    await expect(password.getByLabel("Current password")).toHaveAccessibleDescription(
      "Your current password is not correct.",
    );
    await password.getByLabel("Current password").fill(PASSWORD);
    await password.getByRole("button", { name: "Change password" }).click();
    await expect(password.getByText("Your other sessions were logged out.")).toBeVisible();

    // The new password works; the old one no longer does.
    await page.context().clearCookies();
    await page.goto("/login");
    await logIn(page, email, PASSWORD);
    await expect(page.getByRole("alert")).toContainText("The email or password is incorrect.");
    await page.getByLabel("Password", { exact: true }).fill("another-long-passphrase-7");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Welcome, Dana" })).toBeVisible();
  });
});

test.describe("accessibility", () => {
  // Each axe pass takes seconds on a busy machine, and these tests run several.
  test.slow();

  async function expectNoSeriousViolations(page: Page) {
    const results = await new AxeBuilder({ page })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
      .analyze();
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.map((n) => n.target.join(" ")).join("\n  ")}`,
      );
    expect(serious, serious.join("\n")).toEqual([]);
  }

  test("signup, check-inbox, dev outbox and login pages have no serious axe violations", async ({ page }) => {
    await page.goto("/signup");
    await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
    await expect(page.getByRole("contentinfo").getByText("Development")).toBeVisible();
    await expectNoSeriousViolations(page);

    // With the error state showing too.
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByLabel("Your name")).toHaveAttribute("aria-invalid", "true");
    await expectNoSeriousViolations(page);

    await page.getByLabel("Your name").fill(company.name);
    await page.getByLabel("Work email").fill(uniqueEmail());
    await page.getByLabel("Company name").fill(company.companyName);
    await page.getByLabel("Website").fill(company.website);
    await page.getByLabel("Phone number (US)").fill(company.phone);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("I confirm that I am 18 or older").check();
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Check your inbox" })).toBeVisible();
    await expectNoSeriousViolations(page);

    await page.getByRole("main").getByRole("link", { name: "Open the dev outbox" }).click();
    await expect(page.getByRole("article").first()).toBeVisible();
    await expectNoSeriousViolations(page);

    await page.goto("/login");
    await expect(page.getByRole("heading", { level: 1, name: "Log in" })).toBeVisible();
    await expect(page.getByRole("contentinfo").getByText("Development")).toBeVisible();
    await expectNoSeriousViolations(page);
  });

  test("dashboard and account pages have no serious axe violations", async ({ page, server }) => {
    await signUpConfirmedUser(page, server);
    await expectNoSeriousViolations(page);
    await page.goto("/account");
    await expect(page.getByRole("region", { name: "Sessions" }).getByText("This device")).toBeVisible();
    await expectNoSeriousViolations(page);
  });
});
