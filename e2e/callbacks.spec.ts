import { expectNoSeriousA11yViolations } from "./a11y";
import { expect, signUpConfirmedUser, test } from "./fixtures";
import { accountIdOf, seedButton, seedCallbackRequests } from "./seed";
import { snap } from "./shots";

/** The Callbacks page lists every request a page at a time, not only the newest ones. */
test("pages through every callback request with Load more", async ({ page, server }, testInfo) => {
  const { email } = await signUpConfirmedUser(page, server);
  const accountId = await accountIdOf(server, email);
  await seedCallbackRequests(server, accountId, await seedButton(server, accountId, "Website"), 62);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Callbacks" }).click();
  const list = page.getByRole("list", { name: "Callback requests" });
  await expect(list.getByRole("listitem")).toHaveCount(50);
  await expect(list.getByRole("listitem").first()).toContainText("Visitor 61");
  await expect(page.getByText("Showing the latest 50 requests.")).toBeVisible();
  await expectNoSeriousA11yViolations(page);

  await page.getByRole("button", { name: "Load more" }).click();
  await expect(list.getByRole("listitem")).toHaveCount(62);
  await expect(list.getByRole("listitem").last()).toContainText("Visitor 0");
  await expect(page.getByText("Showing all 62 requests.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await snap(page, testInfo, "callbacks-load-more");

  // Handled on the second page: the open list drops it, "All requests" still has all 62.
  await list.getByRole("switch", { name: "Handled: Visitor 3", exact: true }).click();
  await expect(list.getByRole("listitem").filter({ hasText: /Visitor 3(?!\d)/ })).toHaveCount(0);
  // The filter lives in the URL, so the radio shows checked once the navigation settles.
  await page.getByRole("radio", { name: "All requests" }).click();
  await expect(page.getByRole("radio", { name: "All requests" })).toBeChecked();
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(list.getByRole("listitem")).toHaveCount(62);
  await expect(page.getByRole("switch", { name: "Handled: Visitor 3", exact: true })).toBeChecked();
});
