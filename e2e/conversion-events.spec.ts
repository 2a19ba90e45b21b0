import type { APIRequestContext, Browser, Page, TestInfo } from "@playwright/test";
import { trpcQuery } from "./api";
import { accountWithButton, agentReady, party } from "./call-parties";
import { test as base, expect } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * Conversion events end to end: the owner turns them on in the button editor; on a customer's site
 * (another origin, strict CSP) with Google Tag Manager's `window.dataLayer`, a real browser call
 * answered in the portal pushes `clickandcall_call_started` then `clickandcall_call_answered`, and
 * a callback request pushes `clickandcall_callback_requested`. A button that did not opt in pushes
 * nothing.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

type Pushed = { event?: string; clickandcall?: { buttonId: string; callId?: string } };

/**
 * What Google Tag Manager's head snippet does before anything else on the page (`dataLayer` with
 * its `gtm.js` event), plus the page's own listeners on the three events (`ClickAndCall("on", …)`,
 * through the queue stub, before the widget loads).
 */
function tagManager() {
  const w = window as unknown as {
    dataLayer: unknown[];
    heard: unknown[][];
    ClickAndCall: ((...args: unknown[]) => void) & { q?: unknown[][] };
  };
  w.dataLayer = [];
  w.dataLayer.push({ "gtm.start": 1, event: "gtm.js" });
  w.heard = [];
  w.ClickAndCall = (...args: unknown[]) => {
    w.ClickAndCall.q = w.ClickAndCall.q || [];
    w.ClickAndCall.q.push(args);
  };
  for (const event of [
    "clickandcall_call_started",
    "clickandcall_call_answered",
    "clickandcall_callback_requested",
  ]) {
    w.ClickAndCall("on", event, (detail: unknown) => w.heard.push([event, detail]));
  }
}

/** The events pushed after GTM's own, and what the page's listeners heard. */
const pushed = (page: Page) =>
  page.evaluate(() => ({
    dataLayer: (window as unknown as { dataLayer: Pushed[] }).dataLayer.slice(1),
    heard: (window as unknown as { heard: unknown[][] }).heard,
  }));

/** The owner turns conversion events on in the button editor and saves. */
async function optIn(browser: Browser, api: APIRequestContext, buttonId: string, testInfo: TestInfo) {
  const owner = await party(browser, { storageState: await api.storageState() });
  await owner.page.goto(`/buttons/${buttonId}`);
  const section = owner.page.locator("#conversion");
  await expect(section.getByRole("heading", { name: "Conversion tracking" })).toBeVisible();
  const toggle = section.getByRole("switch", { name: "Send conversion events to Google Tag Manager" });
  await expect(toggle).not.toBeChecked();
  await toggle.click();
  await expect(toggle).toBeChecked();
  // The setup steps are one click away, with the event names to type into GTM.
  await section.getByText("How to set it up in Google Tag Manager").click();
  await expect(section).toContainText("Custom Event");
  await expect(section).toContainText("clickandcall_callback_requested");
  await snap(section, testInfo, "editor-conversion-tracking");
  await owner.page.getByRole("button", { name: "Save changes" }).click();
  await expect(owner.page.getByText("All changes saved.")).toBeVisible();
  await owner.page.reload();
  await expect(
    owner.page.getByRole("switch", { name: "Send conversion events to Google Tag Manager" }),
  ).toBeChecked();
  expect(owner.errors).toEqual([]);
  await owner.context.close();
}

/** A visitor on the customer's page, with Google Tag Manager on it, who opens the widget. */
async function visitorWithTagManager(browser: Browser, site: Site, publicId: string) {
  const visitor = await party(browser);
  await visitor.context.addInitScript(tagManager);
  await visitor.page.goto(site.url(publicId));
  await visitor.page.getByRole("button", { name: "Call Acme" }).click();
  const dialog = visitor.page.getByRole("dialog", { name: "Call Acme" });
  await expect(dialog).toBeVisible();
  return { ...visitor, dialog };
}

/** Asks for a callback from the open dialog (after its call, or instead of one). */
async function requestCallback(dialog: ReturnType<Page["getByRole"]>) {
  const form = dialog.getByRole("form", { name: "Request a callback" });
  if (!(await form.isVisible())) await dialog.getByRole("button", { name: "Request a callback" }).click();
  await form.getByLabel("Name").fill("Val Visitor");
  await form.getByLabel("Phone number").fill("(202) 555-0188");
  await form.getByLabel("Message").fill("About the leak under the sink");
  await form.getByRole("button", { name: "Request a callback" }).click();
  await expect(dialog).toContainText("Thanks — we'll call you back.");
}

test.describe("conversion events to Google Tag Manager", () => {
  // Two browsers, a server and real media on a shared two-core machine: generous.
  test.describe.configure({ timeout: 300_000 });

  test("an opted-in button pushes call_started, then call_answered for a real call, then callback_requested", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    await optIn(browser, api, button.id, testInfo);
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await visitorWithTagManager(browser, site, button.publicId);
    await visitor.dialog.getByRole("button", { name: "Call now" }).click();

    // The server took the call and it rings: started, not answered yet.
    await expect(visitor.dialog).toContainText("Ringing…");
    const started = await pushed(visitor.page);
    expect(started.dataLayer).toEqual([
      {
        event: "clickandcall_call_started",
        clickandcall: { buttonId: button.publicId, callId: expect.any(String) },
      },
    ]);
    const callId = started.dataLayer[0]?.clickandcall?.callId;

    const ring = agent.page.getByRole("article", { name: "Main site" });
    await ring.getByRole("button", { name: "Answer" }).click();
    await expect(visitor.dialog).toContainText("Connected", { timeout: 30_000 });
    const detail = { buttonId: button.publicId, callId };
    await expect
      .poll(() => pushed(visitor.page))
      .toEqual({
        dataLayer: [
          { event: "clickandcall_call_started", clickandcall: detail },
          { event: "clickandcall_call_answered", clickandcall: detail },
        ],
        heard: [
          ["clickandcall_call_started", detail],
          ["clickandcall_call_answered", detail],
        ],
      });
    // The call's id is the one in the business's call log.
    const log = await trpcQuery<{ items: Array<{ id: string; status: string }> }>(api, "callLog.list", {});
    expect(log.items.map((row) => row.id)).toEqual([callId]);

    await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(visitor.dialog).toContainText("Call ended");
    await requestCallback(visitor.dialog);
    const after = await pushed(visitor.page);
    expect(after.dataLayer.map((e) => e.event)).toEqual([
      "clickandcall_call_started",
      "clickandcall_call_answered",
      "clickandcall_callback_requested",
    ]);
    expect(after.dataLayer[2]).toEqual({
      event: "clickandcall_callback_requested",
      clickandcall: { buttonId: button.publicId },
    });
    expect(after.heard.at(-1)).toEqual(["clickandcall_callback_requested", { buttonId: button.publicId }]);
    // Ids only: nothing the visitor typed reaches the page's tag manager.
    expect(JSON.stringify(after)).not.toMatch(/Val|555|leak/);

    expect(visitor.errors, "uncaught errors on the visitor's page").toEqual([]);
    expect(agent.errors, "uncaught errors in the portal").toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });

  test("a button that did not opt in pushes nothing, for an answered call or a callback request", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await visitorWithTagManager(browser, site, button.publicId);
    await visitor.dialog.getByRole("button", { name: "Call now" }).click();
    await agent.page
      .getByRole("article", { name: "Main site" })
      .getByRole("button", { name: "Answer" })
      .click();
    await expect(visitor.dialog).toContainText("Connected", { timeout: 30_000 });
    await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(visitor.dialog).toContainText("Call ended");
    await requestCallback(visitor.dialog);

    expect(await pushed(visitor.page)).toEqual({ dataLayer: [], heard: [] });
    // The events every button emits are still there.
    expect(
      await visitor.page.evaluate(() => (window as unknown as { widgetEvents: unknown[] }).widgetEvents),
    ).toEqual([["ready", { open: true }], ["call-start"], ["call-end", { seconds: expect.any(Number) }]]);
    expect(visitor.errors).toEqual([]);
    expect(agent.errors).toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });
});
