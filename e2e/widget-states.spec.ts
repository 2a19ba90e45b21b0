import { buttonFields, trpc, trpcQuery } from "./api";
import { accountWithButton, agentReady, party } from "./call-parties";
import { expect } from "./fixtures";
import {
  axeDialog,
  expectFormKept,
  expectHeader,
  form,
  MIC_LINE,
  NAME,
  openDialog,
  shots,
  test,
  typeDetails,
} from "./widget-dialog";

/**
 * The visitor never meets a dead end (issue 15, items 8 and 9): in every failure state of the
 * widget's dialog — microphone denied, nobody available, no answer, declined, Twilio unreachable,
 * the network lost — the callback form is offered, and what the visitor typed in it survives every
 * switch between states. The dialog's header names the business, "Call now" is the one primary
 * action when a call can be placed, the microphone is explained before the browser asks, and the
 * ended screen offers "Call again" and "Request a callback". axe runs on the dialog in light and dark.
 */

/** A button whose dialog follows the visitor's color scheme, so each state is seen in light and dark. */
async function followingButton(...args: Parameters<typeof accountWithButton>) {
  const made = await accountWithButton(...args);
  await trpc(made.api, "buttons.update", { id: made.button.id, fields: buttonFields({ theme: "auto" }) });
  return made;
}

const RING_TIMEOUT_SECONDS = 5;
test.use({ serverEnv: { RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS) } });
// Two browsers, a server and real media on a shared two-core machine: generous.
test.describe.configure({ timeout: 180_000 });

test.describe("the widget's failure states", () => {
  test("nobody available: the form leads; once someone is, 'Call now' is the primary action and the form keeps what was typed", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await followingButton(playwright, server);
    const visitor = await party(browser);
    const dialog = await openDialog(visitor, site, button.publicId);
    await expectHeader(dialog);
    await expect(dialog.getByText("No one can take a call right now.")).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Call now" })).toHaveCount(0);
    await typeDetails(dialog);
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "nobody-available");

    // An agent becomes reachable: one primary action, "Call now", with the microphone explained.
    const agent = await agentReady(browser, api, testInfo);
    const callNow = dialog.getByRole("button", { name: "Call now" });
    await expect(callNow).toBeVisible({ timeout: 15_000 });
    await expect(callNow).toHaveClass(/\bpr\b/);
    await expect(dialog.locator(".pr")).toHaveCount(1);
    await expect(dialog.getByText(MIC_LINE)).toBeVisible();
    await expect(form(dialog)).toHaveCount(0);
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "home");
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expectFormKept(dialog);
    await expect(form(dialog).getByLabel("Name")).toBeFocused();

    // The agent leaves: back to nobody available, and the form still holds it.
    await agent.context.close();
    await expect(dialog.getByText("No one can take a call right now.")).toBeVisible({ timeout: 15_000 });
    await expectFormKept(dialog);
    expect(visitor.errors).toEqual([]);
    await Promise.all([visitor.context.close(), api.dispose()]);
  });

  test("microphone denied: the line before the browser asks, then the failure with the form; typed values survive a retry", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await followingButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    // The visitor answers the browser's microphone prompt with "Block": Chromium's fake prompt,
    // told to deny, in a browser of the visitor's own.
    const launch = testInfo.project.use.launchOptions ?? {};
    const denying = await playwright.chromium.launch({
      ...launch,
      args: (launch.args ?? []).map((arg) =>
        arg === "--use-fake-ui-for-media-stream" ? "--use-fake-ui-for-media-stream=deny" : arg,
      ),
    });
    const context = await denying.newContext();
    const page = await context.newPage();
    const errors: Error[] = [];
    page.on("pageerror", (error) => errors.push(error));
    const dialog = await openDialog({ context, page, errors }, site, button.publicId);
    await dialog.getByRole("button", { name: "Call now" }).click({ timeout: 15_000 });
    await expect(dialog).toContainText("Your browser blocked the microphone.");
    await expect(form(dialog)).toBeVisible();
    await typeDetails(dialog);
    await axeDialog(page);
    await shots(page, testInfo, "mic-denied");

    await dialog.getByRole("button", { name: "Try again" }).click();
    await expect(dialog).toContainText("Your browser blocked the microphone.");
    await expectFormKept(dialog);
    await dialog.getByRole("button", { name: "Back", exact: true }).click();
    await expect(dialog.getByText(MIC_LINE)).toBeVisible();
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expectFormKept(dialog);
    expect(errors).toEqual([]);
    await Promise.all([denying.close(), agent.context.close(), api.dispose()]);
  });

  test("no answer, then declined: the form after each, holding what was typed; then the ended screen's actions", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await followingButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await party(browser);
    const dialog = await openDialog(visitor, site, button.publicId);
    await dialog.getByRole("button", { name: "Call now" }).click({ timeout: 15_000 });
    // Nobody answers before the ring timeout.
    await expect(dialog).toContainText("No one answered in time.", {
      timeout: (RING_TIMEOUT_SECONDS + 20) * 1000,
    });
    await expect(form(dialog)).toBeVisible();
    await typeDetails(dialog);
    await shots(visitor.page, testInfo, "no-answer");

    // Back, call again, and this time the agent declines.
    const ring = agent.page.getByRole("article", { name: "Main site" });
    await dialog.getByRole("button", { name: "Back", exact: true }).click();
    await dialog.getByRole("button", { name: "Call now" }).click();
    await ring.getByRole("button", { name: "Decline" }).click();
    await expect(dialog).toContainText("We can't take your call right now.");
    await expectFormKept(dialog);
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "declined");

    // Once more, answered and hung up: the ended screen offers "Call again" and "Request a callback".
    await dialog.getByRole("button", { name: "Back", exact: true }).click();
    await dialog.getByRole("button", { name: "Call now" }).click();
    await ring.getByRole("button", { name: "Answer" }).click();
    await expect(dialog).toContainText("Connected", { timeout: 30_000 });
    await dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(dialog).toContainText("Call ended");
    await expect(dialog.getByRole("button", { name: "Call again" })).toBeFocused();
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "ended");
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expectFormKept(dialog);
    await form(dialog).getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog).toContainText("Thanks — we'll call you back.");
    const callbacks = await trpcQuery<{ items: Array<{ name: string; phone: string }> }>(
      api,
      "callbacks.list",
      {},
    );
    expect(callbacks.items).toEqual([expect.objectContaining({ name: NAME })]);
    expect(visitor.errors).toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });

  test("network lost: the call fails as offline with the form, which keeps what was typed and sends once back online", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await followingButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await party(browser);
    const dialog = await openDialog(visitor, site, button.publicId);
    await dialog.getByRole("button", { name: "Request a callback" }).click({ timeout: 15_000 });
    await typeDetails(dialog);
    await visitor.context.setOffline(true);
    await dialog.getByRole("button", { name: "Call now" }).click();
    await expect(dialog).toContainText("You seem to be offline.");
    await expectFormKept(dialog);
    await shots(visitor.page, testInfo, "offline");

    // Requests that die on the way (the connection drops mid-request) fail the same, kindly.
    await visitor.context.setOffline(false);
    await visitor.page.route("**/trpc/calls.start**", (route) => route.abort("internetdisconnected"));
    await dialog.getByRole("button", { name: "Try again" }).click();
    await expect(dialog.getByRole("alert")).toContainText("The call didn't go through");
    await expectFormKept(dialog);
    await form(dialog).getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog).toContainText("Thanks — we'll call you back.");
    expect(visitor.errors).toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });

  test("dark and following the visitor: the dialog in dark colors passes axe, at 390 and 1280 px", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    await trpc(api, "buttons.update", { id: button.id, fields: buttonFields({ theme: "dark" }) });
    const visitor = await party(browser);
    let dialog = await openDialog(visitor, site, button.publicId);
    const surface = () => dialog.evaluate((d) => getComputedStyle(d).backgroundColor);
    await expect.poll(surface).toBe("rgb(31, 32, 35)");
    await typeDetails(dialog);
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "nobody-available", "dark");
    const agent = await agentReady(browser, api, testInfo);
    await expect(dialog.getByRole("button", { name: "Call now" })).toBeVisible({ timeout: 15_000 });
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "home", "dark");

    // "auto": light for a visitor in light mode, dark for one in dark mode.
    await trpc(api, "buttons.update", { id: button.id, fields: buttonFields({ theme: "auto" }) });
    // The browser keeps the config up to 60 s: a fresh page of a fresh visitor reads the new one.
    const light = await party(browser);
    dialog = await openDialog(light, site, button.publicId);
    await expect.poll(surface).toBe("rgb(255, 255, 255)");
    await light.page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(surface).toBe("rgb(31, 32, 35)");
    await axeDialog(light.page);
    expect(visitor.errors).toEqual([]);
    expect(light.errors).toEqual([]);
    await Promise.all([visitor.context.close(), light.context.close(), agent.context.close(), api.dispose()]);
  });
});
