import { expectNoSeriousA11yViolations } from "./a11y";
import { expect, signUpConfirmedUser, test } from "./fixtures";

/**
 * The member's availability is the server's: a second tab follows the switch flipped in the first
 * (read on focus), and the account page shows it with their own working hours, at 390 px, with no
 * serious axe violation.
 */
test.describe("your availability", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test.slow();

  test("another tab follows the switch; working hours are saved at 390 px and pass axe", async ({
    page,
    context,
    server,
  }) => {
    await signUpConfirmedUser(page, server);
    const other = await context.newPage();
    await other.goto("/account");
    const otherSwitch = other.getByRole("switch", { name: "Available to answer calls" });
    await expect(otherSwitch).not.toBeChecked();

    const mine = page.getByRole("switch", { name: "Available to answer calls" });
    await mine.click();
    await expect(mine).toBeChecked();
    // The other tab reads the server's availability when it gets the focus.
    await other.evaluate(() => window.dispatchEvent(new Event("focus")));
    await expect(otherSwitch).toBeChecked();
    await expect(other.getByText("Calls can reach you now.")).toBeVisible({ timeout: 20_000 });
    await other.close();

    await page.goto("/account");
    const section = page.getByRole("region", { name: "Your availability" });
    await expect(section).toBeVisible();
    await section.getByLabel("Take calls only during my working hours").check();
    await expect(section.getByText("Times are in America/New York.")).toBeVisible();
    await section.getByRole("button", { name: "Weekdays 9–5" }).click();
    await section.getByRole("button", { name: "Save working hours" }).click();
    await expect(section.getByText("Your working hours were saved.")).toBeVisible();
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    await expectNoSeriousA11yViolations(page);
  });
});
