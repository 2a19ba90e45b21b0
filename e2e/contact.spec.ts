import AxeBuilder from "@axe-core/playwright";
import { expect, test, uniqueEmail } from "./fixtures";
import { snap } from "./shots";

const INBOX = "hello@clickandcall.test";

// Captcha off (no TURNSTILE_* settings): the form asks for no check.
test.use({ serverEnv: { CONTACT_INBOX: INBOX } });

test("sends the contact form from the login page's link and sees the thanks state", async ({
  page,
  server,
}, testInfo) => {
  const email = uniqueEmail("buyer");
  await page.goto("/login");
  await page.getByRole("link", { name: "Contact us" }).first().click();
  await expect(page).toHaveURL(/\/contact$/);
  await expect(page.getByRole("heading", { level: 1, name: "Contact us" })).toBeVisible();
  await expect(page.getByRole("group", { name: "Verification check" })).toHaveCount(0);

  // Nothing filled in: each required field says what it needs, and focus goes to the first.
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(page.getByText("Enter your name.")).toBeVisible();
  await expect(page.getByText("Write your message.")).toBeVisible();
  await expect(page.getByLabel("Your name")).toBeFocused();
  await expect(page.getByLabel("Your name")).toHaveAttribute("aria-invalid", "true");
  await snap(page, testInfo, "01-contact-field-errors");

  await page.getByLabel("Your name").fill("Sam Buyer");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Company").fill("Buyer Co");
  await page.getByLabel("Website").fill("buyer.example");
  await page.getByLabel("Message").fill("Do you support Spanish-speaking agents?");
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .analyze();
  expect(
    results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
  await page.getByRole("button", { name: "Send message" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Message sent" })).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Thanks — we'll reply to" })).toContainText(email);
  await snap(page, testInfo, "02-contact-sent");

  const mail = await server.lastEmailTo(INBOX);
  expect(mail?.subject).toBe("Contact form: Sam Buyer (Buyer Co)");
  expect(mail?.text).toContain("Do you support Spanish-speaking agents?");
  expect(mail?.text).toContain(`Reply to: ${email}`);

  // Another message starts from an empty form.
  await page.getByRole("button", { name: "Send another message" }).click();
  await expect(page.getByLabel("Your name")).toHaveValue("");
});
