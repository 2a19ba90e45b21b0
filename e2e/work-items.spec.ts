import { callSessions, users } from "@cac/db";
import { eq } from "drizzle-orm";
import { expectNoSeriousA11yViolations } from "./a11y";
import { expect, signUpConfirmedUser, test } from "./fixtures";
import { accountIdOf, seedButton, seedCallbackRequests } from "./seed";
import { snap } from "./shots";

/** Is the page wider than its viewport (sideways scrolling on a phone)? */
async function overflowsSideways(page: import("@playwright/test").Page) {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

test("on a phone: handle a callback (assign to me, add a note, mark done) and tag a call", async ({
  page,
  server,
}, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const { email } = await signUpConfirmedUser(page, server);
  const accountId = await accountIdOf(server, email);
  const buttonId = await seedButton(server, accountId, "Website");
  await seedCallbackRequests(server, accountId, buttonId, 2);
  // A call the owner answered (calls are answered in the phone panel; here it is seeded).
  const [owner] = await server.db.select().from(users).where(eq(users.email, email.toLowerCase()));
  const startedAt = new Date(Date.now() - 10 * 60_000);
  await server.db.insert(callSessions).values({
    accountId,
    buttonId,
    transport: "webrtc",
    status: "completed",
    answeredBy: owner!.id,
    startedAt,
    answeredAt: startedAt,
    endedAt: new Date(startedAt.getTime() + 95_000),
    durationSeconds: 95,
  });

  // The callback: assign it to me, note it, mark it done.
  await page.goto(`${server.url}/callbacks`);
  const list = page.getByRole("list", { name: "Callback requests" });
  const request = list.getByRole("listitem").filter({ hasText: "Visitor 1" });
  await expect(request).toContainText("New");
  await expectNoSeriousA11yViolations(page);
  await request.getByRole("button", { name: "Assign to me: Visitor 1" }).click();
  await expect(request).toContainText("Assigned to you");
  await expect(request.getByRole("combobox", { name: "Assignee: Visitor 1" })).toHaveValue(owner!.id);

  await request.getByRole("button", { name: "Add a note: Visitor 1" }).click();
  const notes = request.getByRole("region", { name: "Notes on Visitor 1's request" });
  await notes.getByRole("textbox", { name: "Add a note" }).fill("Called back, booked for Tuesday.");
  await notes.getByRole("button", { name: "Save note" }).click();
  await expect(notes.getByRole("listitem")).toHaveCount(1);
  await expect(notes.getByRole("listitem")).toContainText("Called back, booked for Tuesday.");
  await expect(notes.getByRole("textbox", { name: "Add a note" })).toHaveValue("");
  await expectNoSeriousA11yViolations(page);
  expect(await overflowsSideways(page), "the Callbacks page scrolls sideways at 390 px").toBe(false);
  await snap(page, testInfo, "callbacks-work-390");

  await request.getByRole("switch", { name: "Handled: Visitor 1" }).click();
  // The open list drops it; the Done filter shows it, with its assignee and its note kept.
  await expect(list.getByRole("listitem").filter({ hasText: "Visitor 1" })).toHaveCount(0);
  await page.getByRole("radio", { name: "Done" }).check();
  const done = page.getByRole("list", { name: "Callback requests" }).getByRole("listitem");
  await expect(done).toHaveCount(1);
  await expect(done).toContainText("Done");
  await expect(done.getByRole("button", { name: "Notes (1): Visitor 1" })).toBeVisible();
  await page.getByRole("combobox", { name: "Assignee", exact: true }).selectOption("me");
  await expect(done).toHaveCount(1);

  // The call: tag it and note it, then find it by its tag.
  await page.goto(`${server.url}/calls`);
  await page.getByRole("button", { name: /^Add notes for the call at/ }).click();
  await expect(page.getByText("Answered by you.")).toBeVisible();
  // The panel opens inside the sideways-scrolling table, but stays on the phone's screen.
  const field = await page.getByRole("textbox", { name: "New tag" }).boundingBox();
  expect(field && field.x >= 0 && field.x + field.width <= 390, JSON.stringify(field)).toBe(true);
  await page.getByRole("textbox", { name: "New tag" }).fill("  Quote Request ");
  await page.getByRole("button", { name: "Add tag" }).click();
  const tags = page.getByRole("list", { name: /^Tags of the call at/ });
  await expect(tags.getByRole("listitem")).toHaveText(["quote requestRemove tag quote request"]);
  await page.getByRole("textbox", { name: "Add a note" }).fill("Wants a quote for two rooms.");
  await page.getByRole("button", { name: "Save note" }).click();
  await expect(
    page.getByRole("region", { name: /^Notes on the call at/ }).getByRole("listitem"),
  ).toContainText("Wants a quote for two rooms.");
  await expectNoSeriousA11yViolations(page);
  expect(await overflowsSideways(page), "the Calls page scrolls sideways at 390 px").toBe(false);
  await snap(page, testInfo, "call-work-390");

  const [stored] = await server.db.select().from(callSessions).where(eq(callSessions.accountId, accountId));
  expect(stored?.tags).toEqual(["quote request"]);
  expect(stored?.lastNoteAt).not.toBeNull();

  await page.getByRole("textbox", { name: "Tag", exact: true }).fill("quote request");
  await page.getByRole("textbox", { name: "Tag", exact: true }).press("Enter");
  await expect(page).toHaveURL(/tag=quote\+request/);
  await expect(page.getByRole("table", { name: /Calls, newest first/ }).getByRole("row")).toHaveCount(3);
  await page.getByRole("textbox", { name: "Tag", exact: true }).fill("nothing-like-it");
  await page.getByRole("textbox", { name: "Tag", exact: true }).press("Enter");
  await expect(page.getByText("No calls match these filters")).toBeVisible();
});
