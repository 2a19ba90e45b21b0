import { buttonFields, trpc } from "./api";
import { accountWithButton, agentReady, party } from "./call-parties";
import { test as base, expect } from "./fixtures";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * The widget knows before the visitor clicks: with nobody reachable it leads with the callback
 * form and never asks for the microphone (every getUserMedia call of the visitor's page is
 * counted by an init script); once an agent's panel is open and available, "Call now" is offered;
 * when the agent's panel closes, the open dialog goes back to the callback form by itself.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

/** Counts the page's microphone requests in `window.__gum`, without changing what they do. */
function countGetUserMedia() {
  const w = window as unknown as { __gum: number };
  w.__gum = 0;
  const media = navigator.mediaDevices;
  if (!media) return;
  const native = media.getUserMedia.bind(media);
  media.getUserMedia = (constraints) => {
    w.__gum += 1;
    return native(constraints);
  };
}

test.describe("the widget with nobody reachable", () => {
  test.describe.configure({ timeout: 120_000 });

  test("shows the callback form, never asks for the microphone, and offers the call once an agent is reachable", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    await trpc(api, "buttons.update", {
      id: button.id,
      fields: buttonFields({ closedBehavior: "callback" }),
    });

    const visitor = await party(browser);
    await visitor.context.addInitScript(countGetUserMedia);
    await visitor.page.goto(site.url(button.publicId));
    await visitor.page.getByRole("button", { name: "Call Acme" }).click();
    const dialog = visitor.page.getByRole("dialog", { name: "Call Acme" });
    await expect(dialog.getByText("No one can take a call right now.")).toBeVisible();
    await expect(dialog.getByRole("textbox", { name: /phone/i })).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Call now" })).toHaveCount(0);
    expect(await visitor.page.evaluate(() => (window as unknown as { __gum: number }).__gum)).toBe(0);

    // An agent opens the portal and turns calls on: the open dialog offers the call by itself.
    const agent = await agentReady(browser, api, testInfo);
    await expect(dialog.getByRole("button", { name: "Call now" })).toBeVisible({ timeout: 15_000 });
    await expect(dialog.getByText("No one can take a call right now.")).toHaveCount(0);

    // The agent closes the portal: the dialog goes back to the callback form, still no microphone.
    await agent.context.close();
    await expect(dialog.getByText("No one can take a call right now.")).toBeVisible({ timeout: 15_000 });
    await expect(dialog.getByRole("button", { name: "Call now" })).toHaveCount(0);
    expect(await visitor.page.evaluate(() => (window as unknown as { __gum: number }).__gum)).toBe(0);
    expect(visitor.errors).toEqual([]);
    // The counter is live: a microphone request from the page would have been counted.
    const counted = await visitor.page.evaluate(async () => {
      await navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => {});
      return (window as unknown as { __gum: number }).__gum;
    });
    expect(counted).toBe(1);
    await visitor.context.close();
    await api.dispose();
  });
});
