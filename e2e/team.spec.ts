import { accounts } from "@cac/db";
import type { Page } from "@playwright/test";
import { eq } from "drizzle-orm";
import { expectNoSeriousA11yViolations } from "./a11y";
import { expect, PASSWORD, signUpConfirmedUser, test, uniqueEmail } from "./fixtures";
import { accountIdOf } from "./seed";
import { snap } from "./shots";

test.use({ viewport: { width: 390, height: 844 } });
// Two people, two accounts, several pages each: room on a busy machine.
test.slow();

/** Nothing may be wider than the viewport: no sideways scrolling on a phone. */
async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(scrollWidth, "page is wider than the viewport").toBeLessThanOrEqual(clientWidth);
}

/** Below the header's compact breakpoint (860 px, app.css) the navigation is behind its Menu button. */
const COMPACT_HEADER_PX = 860;

async function openTeam(page: Page) {
  if ((page.viewportSize()?.width ?? 1280) < COMPACT_HEADER_PX) {
    await page.getByRole("banner").getByRole("button", { name: "Menu" }).click();
  }
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();
}

/**
 * Opens the invite dialog, sends an invitation and waits until it went and the dialog closed.
 */
async function invite(page: Page, email: string, role?: "agent" | "admin") {
  await page.getByRole("button", { name: "Invite a member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Email").fill(email);
  if (role) await dialog.getByLabel("Role").selectOption(role);
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`We emailed ${email} a link to join.`)).toBeVisible();
  await expect(dialog).toBeHidden();
}

async function invitationLink(
  server: { lastEmailTo(to: string): Promise<{ text: string } | undefined> },
  to: string,
) {
  const mail = await server.lastEmailTo(to);
  const link = mail?.text.match(/https?:\/\/\S+\/invitation#token=[\w-]+/)?.[0];
  if (!link) throw new Error(`no invitation was emailed to ${to}`);
  return link;
}

test("invite, accept with an existing login, switch accounts, and the Team page at 390 px", async ({
  page,
  browser,
  server,
}, testInfo) => {
  // The inviting business, renamed so the switcher tells the two accounts apart.
  const owner = await signUpConfirmedUser(page, server);
  await server.db
    .update(accounts)
    .set({ companyName: "Bright Dental" })
    .where(eq(accounts.id, await accountIdOf(server, owner.email)));
  await page.reload();
  await openTeam(page);
  await expect(page.getByText("No pending invitations")).toBeVisible();

  // Someone with a login of their own (their own business).
  const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const invitee = await other.newPage();
  const inviteeEmail = uniqueEmail("invitee");
  await signUpConfirmedUser(invitee, server, inviteeEmail);

  // The free plan's 2 seats: the owner holds one.
  await expect(page.getByTestId("seats")).toHaveText("Seats: 1 of 2 used");
  const inviteButton = page.getByRole("button", { name: "Invite a member" });
  await inviteButton.click();
  const dialog = page.getByRole("dialog", { name: "Invite a member" });
  await expect(dialog).toBeVisible();
  // Modal: focus starts in it, Tab and Shift+Tab stay in it, Escape closes it and focus comes back.
  await expect(dialog.getByLabel("Email")).toBeFocused();
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Shift+Tab");
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await expectNoHorizontalScroll(page);
  await expectNoSeriousA11yViolations(page);
  await snap(page, testInfo, "team-invite-dialog-390");
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(inviteButton).toBeFocused();
  // A refusal shows in the dialog, which stays open.
  await inviteButton.click();
  await dialog.getByLabel("Email").fill("not-an-address");
  await dialog.getByRole("button", { name: "Send invitation" }).click();
  await expect(dialog.getByText(/valid email/i).first()).toBeVisible();
  await page.keyboard.press("Escape");

  await invite(page, inviteeEmail, "agent");
  // Focus goes to what happened (the button is about to be disabled).
  await expect(page.locator("#invite-sent")).toBeFocused();
  await expect(page.getByRole("button", { name: `Revoke the invitation to ${inviteeEmail}` })).toBeVisible();
  // The plan is full now: the invitation holds the second seat, and the button says why it is off.
  await expect(page.getByTestId("seats")).toHaveText("Seats: 2 of 2 used (1 invitation pending)");
  await expect(inviteButton).toBeDisabled();
  await expect(inviteButton).toHaveAccessibleDescription(
    /Your Free plan allows 2 team members, pending invitations included/,
  );
  await expectNoHorizontalScroll(page);
  await expectNoSeriousA11yViolations(page);
  await snap(page, testInfo, "team-owner-390");

  await invitee.goto(await invitationLink(server, inviteeEmail));
  await expect(invitee.getByRole("heading", { level: 1, name: "Join Bright Dental" })).toBeVisible();
  await expectNoSeriousA11yViolations(invitee);
  await invitee.getByRole("button", { name: "Accept and join" }).click();

  // In the account they joined, as an agent: the team, without the owners' tools.
  await expect(invitee.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();
  const switcher = invitee.getByLabel("Account");
  await expect(switcher.locator("option:checked")).toHaveText("Bright Dental");
  await expect(invitee.getByRole("button", { name: "Invite a member" })).toHaveCount(0);
  await expect(invitee.getByText(owner.email)).toBeVisible();
  await expectNoHorizontalScroll(invitee);
  await expectNoSeriousA11yViolations(invitee);
  await snap(invitee, testInfo, "team-agent-390");

  // The owner's Team page now lists them, and no invitation is pending.
  await page.reload();
  await expect(page.getByText(inviteeEmail)).toBeVisible();
  await expect(page.getByText("No pending invitations")).toBeVisible();
  await expect(page.getByTestId("seats")).toHaveText("Seats: 2 of 2 used");

  // Presence, pushed: the agent turns calls on in their browser, and the owner's open Team page and
  // phone bar show them reachable without a reload; off again, and they show it too.
  const inviteeRow = page.getByRole("listitem").filter({ hasText: inviteeEmail });
  await expect(inviteeRow.getByText("Unavailable")).toBeVisible();
  await expect(page.getByTestId("team-presence")).toHaveText("0 of 1 teammate reachable");
  const agentSwitch = invitee.getByRole("switch", { name: "Available to answer calls" });
  await agentSwitch.click();
  await expect(agentSwitch).toBeChecked();
  await expect(inviteeRow.getByText("Reachable now")).toBeVisible();
  await expect(page.getByTestId("team-presence")).toHaveText("1 of 1 teammate reachable: Dana Owner");
  await expectNoSeriousA11yViolations(page);
  await agentSwitch.click();
  await expect(agentSwitch).not.toBeChecked();
  await expect(inviteeRow.getByText("Unavailable")).toBeVisible();
  await expect(page.getByTestId("team-presence")).toHaveText("0 of 1 teammate reachable");

  // Back to their own business: everything reloads for it, where they are the owner. On a phone
  // the account switcher is in the header's menu.
  await invitee.getByRole("banner").getByRole("button", { name: "Menu" }).click();
  await switcher.selectOption({ label: "Acme Plumbing" });
  await expect(switcher.locator("option:checked")).toHaveText("Acme Plumbing");
  await expect(invitee.getByRole("button", { name: "Invite a member" })).toBeVisible();
  await expect(invitee.getByText(owner.email)).toHaveCount(0);
  await expectNoSeriousA11yViolations(invitee);
  await other.close();
});

test("a new login accepts: name, password and 18+; the link works once", async ({
  page,
  browser,
  server,
}) => {
  await signUpConfirmedUser(page, server);
  await openTeam(page);
  const email = uniqueEmail("new-agent");
  await invite(page, email);
  const link = await invitationLink(server, email);

  const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const invitee = await other.newPage();
  await invitee.goto(link);
  await expect(invitee.getByRole("heading", { level: 1, name: "Join Acme Plumbing" })).toBeVisible();
  await invitee.getByLabel("Your name").fill("Sam Agent");
  await invitee.getByLabel("Choose a password").fill(PASSWORD);
  // Without the 18+ confirmation the server says why.
  await invitee.getByRole("button", { name: "Create login and join" }).click();
  await expect(invitee.getByText("You must confirm that you are 18 or older.").first()).toBeVisible();
  await invitee.getByLabel("I confirm that I am 18 or older").check();
  await invitee.getByRole("button", { name: "Create login and join" }).click();
  await expect(invitee.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();
  await expect(invitee.getByText("Sam Agent You")).toBeVisible();
  await expectNoSeriousA11yViolations(invitee);

  // The same link again: refused, with a way forward.
  await invitee.goto(link);
  await expect(invitee.getByText("This invitation cannot be used")).toBeVisible();
  await other.close();
});

test("an existing login accepts with its password without logging in first", async ({
  page,
  browser,
  server,
}) => {
  const owner = await signUpConfirmedUser(page, server);
  // Someone with a login of their own, in another browser that is not logged in.
  const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const invitee = await other.newPage();
  const inviteeEmail = uniqueEmail("returning");
  await signUpConfirmedUser(invitee, server, inviteeEmail);
  await other.clearCookies();

  await openTeam(page);
  await invite(page, inviteeEmail, "admin");

  await invitee.goto(await invitationLink(server, inviteeEmail));
  await expect(
    invitee.getByText(`${inviteeEmail} already has a login: enter its password to accept.`),
  ).toBeVisible();
  await expectNoSeriousA11yViolations(invitee);
  await invitee.getByLabel("Password", { exact: true }).fill("not-the-password");
  await invitee.getByRole("button", { name: "Accept and join" }).click();
  await expect(invitee.getByText("The password is incorrect for this address.").first()).toBeVisible();
  await invitee.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await invitee.getByRole("button", { name: "Accept and join" }).click();
  await expect(invitee.getByRole("heading", { level: 1, name: "Team" })).toBeVisible();
  // An admin here: the owner's team, with the invite button (the plan's 2 seats are both used).
  await expect(invitee.getByText(owner.email)).toBeVisible();
  await expect(invitee.getByRole("button", { name: "Invite a member" })).toBeVisible();
  await other.close();
});

test.describe("at 1280 px", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("the Team page, its invite dialog and the seats on Billing", async ({ page, server }, testInfo) => {
    await signUpConfirmedUser(page, server);
    await openTeam(page);
    await expect(page.getByTestId("seats")).toHaveText("Seats: 1 of 2 used");
    await expect(page.getByText("No teammates yet")).toBeVisible();
    await page.getByRole("button", { name: "Invite a member" }).click();
    const dialog = page.getByRole("dialog", { name: "Invite a member" });
    await expect(dialog.getByLabel("Email")).toBeFocused();
    await expectNoHorizontalScroll(page);
    await expectNoSeriousA11yViolations(page);
    await snap(page, testInfo, "team-invite-dialog-1280");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("button", { name: "Invite a member" })).toBeFocused();

    // Billing shows the same seats, from the same counts.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Billing" }).click();
    await expect(page.getByText("1 of 2 used", { exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(page);
  });
});
