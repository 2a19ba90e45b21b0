import type { APIRequestContext, Page } from "@playwright/test";
import { expectNoSeriousA11yViolations } from "./a11y";
import { type ButtonFields, buttonFields, confirmedAccountApi, holdPhonePanel, trpc, trpcQuery } from "./api";
import { test as base, type E2eServer, expect } from "./fixtures";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * The widget on a customer's site: a page served from another origin (its own port) with the
 * snippet pointing at the app server, under a strict CSP (no inline styles), with hostile CSS.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

const nineToFive = { start: 9 * 60, end: 17 * 60 };
const weekdays = [[], [nineToFive], [nineToFive], [nineToFive], [nineToFive], [nineToFive], []];
const fields = buttonFields;

/** The widget's parts, read inside its (open) shadow root. */
async function widgetState(page: Page) {
  return page.evaluate(() => {
    const host = document.querySelector("click-and-call");
    const root = host?.shadowRoot;
    const button = root?.querySelector("button.b") as HTMLElement | null | undefined;
    if (!host || !root || !button) return null;
    const cs = getComputedStyle(button);
    const rect = button.getBoundingClientRect();
    return {
      text: button.textContent,
      visible: rect.width > 0 && rect.height > 0 && cs.visibility !== "hidden",
      background: cs.backgroundColor,
      color: cs.color,
      letterSpacing: cs.letterSpacing,
      transition: cs.transitionDuration,
      left: rect.left,
      right: innerWidth - rect.right,
      bottom: innerHeight - rect.bottom,
      parentSlot: host.parentElement?.getAttribute("data-clickandcall") ?? null,
    };
  });
}

test.describe("the widget on a third-party site", () => {
  // Serial: the tests share one account and edit its one button. Axe and a loaded machine are slow.
  test.describe.configure({ mode: "serial", timeout: 120_000 });
  // A visitor far from the button's New York hours, so "local time" is visible in the assertions.
  test.use({ timezoneId: "America/Los_Angeles", locale: "en-US" });

  let api: APIRequestContext;
  let buttonId: string;
  let publicId: string;
  let closePanel: (() => void) | undefined;

  test.beforeAll(async ({ playwright, server }) => {
    api = await playwright.request.newContext({
      baseURL: server.url,
      extraHTTPHeaders: { origin: server.url },
    });
    await confirmedAccountApi(api, server, "widget");
    const created = await trpc<{ id: string; publicId: string }>(api, "buttons.create", fields());
    buttonId = created.id;
    publicId = created.publicId;
    // Someone can answer (a portal tab open, available), so the open button offers the call.
    closePanel = await holdPhonePanel(api, server);
  });

  test.afterAll(async () => {
    closePanel?.();
    await api?.dispose();
  });

  const update = (overrides: Partial<ButtonFields>) =>
    trpc(api, "buttons.update", { id: buttonId, fields: fields(overrides) });

  /** The public config as the page's origin sees it (for open windows). */
  async function openWindows(server: E2eServer, site: Site) {
    const res = await api.get(`${server.url}/widget/config/${publicId}`, {
      headers: { origin: new URL(site.url(publicId)).origin },
    });
    expect(res.status()).toBe(200);
    return ((await res.json()) as { openWindows: Array<{ opens: string; closes: string | null }> })
      .openWindows;
  }

  test("shows the button with its label, colors and position; keyboard opens and closes the dialog", async ({
    page,
    site,
  }, testInfo) => {
    await update({});
    await page.goto(site.url(publicId));
    const button = page.getByRole("button", { name: "Call Acme" });
    await expect(button).toBeVisible();

    const state = await widgetState(page);
    expect(state).toMatchObject({
      text: "Call Acme",
      background: "rgb(15, 118, 110)",
      // The site's `button { color: red !important }` and `* { letter-spacing }` do not reach it.
      color: "rgb(255, 255, 255)",
      letterSpacing: "normal",
    });
    // bottom-left, 20px from the edges.
    expect(Math.round(state!.left)).toBe(20);
    expect(Math.round(state!.bottom)).toBe(20);
    // And the widget's styles do not leak out to the site's own `.b` button.
    const siteButtonBg = await page
      .locator("#site-button")
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(siteButtonBg).toBe("rgb(255, 255, 0)");
    // The "ready" event reached the listener queued before the loader arrived.
    expect(
      await page.evaluate(() => (window as unknown as { widgetEvents: unknown[] }).widgetEvents),
    ).toEqual([["ready", { open: true }]]);
    await expectNoSeriousA11yViolations(page, "click-and-call");
    await page.screenshot({ path: testInfo.outputPath("button-desktop.png") });

    // Reachable by Tab: the site's link, the site's button, then the widget.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await expect(button).toBeFocused();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Call Acme" });
    await expect(dialog).toBeVisible();
    await expect(button).toHaveAttribute("aria-expanded", "true");
    // Open and callable: one primary action, the call, with the callback form one press away.
    await expect(dialog.getByRole("button", { name: "Call now" })).toBeFocused();
    await expect(dialog.getByRole("button", { name: "Request a callback" })).toBeVisible();
    // Tab stays in the dialog.
    for (let i = 0; i < 6; i++) await page.keyboard.press("Tab");
    expect(
      await page.evaluate(() =>
        Boolean(
          document.querySelector("click-and-call")?.shadowRoot?.activeElement?.closest('[role="dialog"]'),
        ),
      ),
    ).toBe(true);
    await expectNoSeriousA11yViolations(page, "click-and-call");
    await page.screenshot({ path: testInfo.outputPath("dialog-desktop.png") });

    await page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(button).toBeFocused();
    await expect(button).toHaveAttribute("aria-expanded", "false");
  });

  test("fits a 360 px phone and respects reduced motion", async ({ page, site }, testInfo) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.emulateMedia({ reducedMotion: "reduce" });
    await page.goto(site.url(publicId));
    const button = page.getByRole("button", { name: "Call Acme" });
    await expect(button).toBeVisible();
    expect((await widgetState(page))?.transition).toBe("0s");
    await button.click();
    const dialog = page.getByRole("dialog", { name: "Call Acme" });
    await expect(dialog).toBeVisible();
    const box = await dialog.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    await expectNoSeriousA11yViolations(page, "click-and-call");
    await page.screenshot({ path: testInfo.outputPath("dialog-360.png") });

    await page.emulateMedia({ reducedMotion: "no-preference" });
    await page.reload();
    await expect(button).toBeVisible();
    expect((await widgetState(page))?.transition).not.toBe("0s");
  });

  test("renders inline into the site's <div data-clickandcall>", async ({ page, site }, testInfo) => {
    await update({
      style: { ...fields().style, position: "inline", shape: "rounded", size: "medium", icon: "headset" },
    });
    await page.goto(site.url(publicId, { inline: true }));
    await expect(page.getByRole("button", { name: "Call Acme" })).toBeVisible();
    expect((await widgetState(page))?.parentSlot).toBe(publicId);
    await page.screenshot({ path: testInfo.outputPath("inline.png") });
  });

  test("closed hours with the message behaviour: the next opening in the visitor's time", async ({
    page,
    server,
    site,
  }, testInfo) => {
    await update({ hours: weekdays, closedBehavior: "message" });
    const windows = await openWindows(server, site);
    const closedAt = Date.parse(windows[0]!.closes!) + 60_000;
    const nextOpening = Date.parse(windows[1]!.opens);
    await page.clock.install({ time: closedAt });
    await page.goto(site.url(publicId));
    const time = await page.evaluate(
      (t) => new Date(t).toLocaleString(undefined, { hour: "numeric", minute: "2-digit" }),
      nextOpening,
    );
    const button = page.getByRole("button", { name: /^Call Acme/ });
    await expect(button).toContainText("Closed — back");
    await expect(button).toContainText(time);
    await button.click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText(`Closed — back`);
    await expect(dialog).toContainText(time);
    await expect(dialog.locator("form")).toHaveCount(0);
    await expectNoSeriousA11yViolations(page, "click-and-call");
    await page.screenshot({ path: testInfo.outputPath("closed-message.png") });
  });

  test("closed hours with the hide behaviour: nothing shows until the next opening", async ({
    page,
    server,
    site,
  }) => {
    await update({ hours: weekdays, closedBehavior: "hide" });
    const windows = await openWindows(server, site);
    const closedAt = Date.parse(windows[0]!.closes!) + 60_000;
    const nextOpening = Date.parse(windows[1]!.opens);
    await page.clock.install({ time: closedAt });
    await page.goto(site.url(publicId));
    await expect.poll(async () => (await widgetState(page))?.visible).toBe(false);
    await expect(page.getByRole("button", { name: /Call Acme/ })).toHaveCount(0);
    // When the next window opens, the button appears without a reload.
    await page.clock.fastForward(nextOpening - closedAt + 1000);
    await expect(page.getByRole("button", { name: "Call Acme" })).toBeVisible();
  });

  test("closed hours with the callback behaviour: the request is sent and confirmed", async ({
    page,
    server,
    site,
  }, testInfo) => {
    await update({ hours: weekdays, closedBehavior: "callback" });
    const windows = await openWindows(server, site);
    await page.clock.install({ time: Date.parse(windows[0]!.closes!) + 60_000 });
    await page.goto(site.url(publicId));
    const button = page.getByRole("button", { name: /^Call Acme/ });
    await expect(button).toContainText("Closed — request a callback");
    await button.click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByLabel("Name")).toBeFocused();
    // Required fields are checked before anything is sent.
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog).toContainText("Enter your phone number.");
    // The server's field error shows on its field.
    await dialog.getByLabel("Name").fill("Val Visitor");
    await dialog.getByLabel("Phone number").fill("+44 20 7946 0958");
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog.getByLabel("Phone number")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.locator("#cac-phone-e")).not.toBeEmpty();
    await expectNoSeriousA11yViolations(page, "click-and-call");
    await page.screenshot({ path: testInfo.outputPath("callback-error.png") });

    await dialog.getByLabel("Phone number").fill("(202) 555-0188");
    await dialog.getByLabel(/Message/).fill("The kitchen sink is leaking.");
    await dialog.getByRole("button", { name: "Request a callback" }).click();
    await expect(dialog).toContainText("Thanks — we'll call you back.");
    await page.screenshot({ path: testInfo.outputPath("callback-sent.png") });

    const requests = await trpcQuery<{ items: Array<{ name: string; phone: string }> }>(
      api,
      "callbacks.list",
    );
    expect(requests.items[0]).toMatchObject({ name: "Val Visitor", phone: "+12025550188" });
  });

  test("on an origin the button does not allow: renders nothing, warns once naming the host", async ({
    page,
    site,
  }) => {
    await update({});
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning") warnings.push(message.text());
    });
    await page.goto(site.url(publicId, { host: "127.0.0.1" }));
    await expect.poll(() => warnings.length).toBe(1);
    expect(warnings[0]).toBe(
      'Click & Call: this button is not allowed on "127.0.0.1". Add it to the button\'s allowed domains in the portal.',
    );
    await page.evaluate(() =>
      (window as unknown as { ClickAndCall: (cmd: string) => void }).ClickAndCall("open"),
    );
    await page.waitForTimeout(300);
    expect(warnings).toHaveLength(1);
    await expect(page.locator("click-and-call")).toHaveCount(0);
  });

  test("serves the scripts publicly: CORS *, CORP cross-origin, nosniff, short cache, ETag, compression", async ({
    server,
  }) => {
    for (const name of ["widget.js", "widget-call.js"]) {
      const res = await api.get(`${server.url}/${name}`, { headers: { "accept-encoding": "gzip" } });
      expect(res.status()).toBe(200);
      const headers = res.headers();
      expect(headers["content-type"]).toBe("application/javascript; charset=utf-8");
      expect(headers["cache-control"]).toBe("public, max-age=300, stale-while-revalidate=86400");
      expect(headers["access-control-allow-origin"]).toBe("*");
      expect(headers["cross-origin-resource-policy"]).toBe("cross-origin");
      expect(headers["x-content-type-options"]).toBe("nosniff");
      expect(headers["content-encoding"]).toBe("gzip");
      expect(headers.etag).toMatch(/^".+"$/);
      const again = await api.get(`${server.url}/${name}`, { headers: { "if-none-match": headers.etag! } });
      expect(again.status()).toBe(304);
    }
  });
});
