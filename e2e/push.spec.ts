import { callTag, pageLabel } from "@cac/core/domain";
import { callSessions } from "@cac/db";
import type { BrowserContext, CDPSession, Page, Worker } from "@playwright/test";
import { and, eq } from "drizzle-orm";
import { trpc, trpcQuery } from "./api";
import { accountWithButton, agentReady, visitorCalls } from "./call-parties";
import { test as base, type E2eServer, expect } from "./fixtures";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * The installable portal and its push notifications in Debian's Chromium. A browser offline can't
 * subscribe to a real push service, so the push reaches the portal's service worker through the
 * DevTools protocol (ServiceWorker.deliverPushMessage) with the payload the server sends (the
 * push contract); the notification's Answer button, which the protocol cannot click, is run
 * through the function the worker's notificationclick handler calls. The call answered is a real
 * WebRTC call from a visitor on a customer's site.
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});
// The worker is what these tests are about (other specs run without one).
test.use({ serviceWorkers: "allow" });

type Me = { user: { id: string; name: string }; account: { id: string } };

/** The portal's worker, once it controls the page, and its registration id for the protocol. */
async function portalWorker(context: BrowserContext, page: Page, server: E2eServer) {
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL === `${server.url}/` && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const worker =
    context.serviceWorkers().find((w) => w.url() === `${server.url}/sw.js`) ??
    (await context.waitForEvent("serviceworker", (w) => w.url() === `${server.url}/sw.js`));
  return { cdp, registrationId: await registrationId, worker };
}

/** The ringing call the visitor started on `buttonId`. */
async function ringingCall(server: E2eServer, buttonId: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => {
      const [row] = await server.db
        .select({ id: callSessions.id })
        .from(callSessions)
        .where(and(eq(callSessions.buttonId, buttonId), eq(callSessions.status, "ringing")));
      id = row?.id;
      return id;
    })
    .toBeTruthy();
  return id as string;
}

/** The incoming call's push, as the server builds it (push contract). */
function incomingCallPush(callId: string, accountId: string, pageUrl: string, buttonName: string) {
  return {
    type: "incoming_call",
    title: `Call from ${pageLabel(pageUrl)}`,
    body: buttonName,
    tag: callTag(callId),
    url: `/?answer=${callId}&account=${accountId}`,
    callId,
    accountId,
    actions: [
      { action: "answer", title: "Answer" },
      { action: "decline", title: "Decline" },
    ],
  };
}

async function deliverPush(cdp: CDPSession, server: E2eServer, registrationId: string, payload: unknown) {
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin: server.url,
    registrationId,
    data: JSON.stringify(payload),
  });
}

type Shown = {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
  actions: unknown;
  data: unknown;
};

/** The notifications the worker shows now (read in the worker itself). */
function shownNotifications(worker: Worker): Promise<Shown[]> {
  return worker.evaluate(async () => {
    const sw = self as unknown as { registration: ServiceWorkerRegistration };
    const list = await sw.registration.getNotifications();
    return list.map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      requireInteraction: n.requireInteraction,
      actions: (n as Notification & { actions?: unknown }).actions,
      data: n.data,
    }));
  });
}

test.describe("the installable portal", () => {
  test.describe.configure({ timeout: 300_000 });

  test("its manifest is valid, the worker installs and keeps the shell, never the API", async ({
    page,
    request,
    server,
    playwright,
  }) => {
    const manifestRes = await request.get("/manifest.webmanifest");
    expect(manifestRes.headers()["content-type"]).toMatch(/^application\/manifest\+json/);
    const manifest = await manifestRes.json();
    expect(manifest).toMatchObject({
      name: "Click & Call",
      short_name: "Click & Call",
      start_url: "/",
      display: "standalone",
      theme_color: "#1d4ed8",
    });
    const sizes = new Set<string>();
    for (const icon of manifest.icons as Array<{
      src: string;
      sizes: string;
      type: string;
      purpose: string;
    }>) {
      const res = await request.get(icon.src);
      expect(res.headers()["content-type"], icon.src).toBe("image/png");
      const png = await res.body();
      // The PNG's own header (IHDR) says its size: it must be what the manifest claims.
      expect(png.subarray(1, 4).toString("latin1"), icon.src).toBe("PNG");
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.src).toBe(icon.sizes);
      sizes.add(`${icon.sizes} ${icon.purpose}`);
    }
    expect([...sizes].sort()).toEqual(["192x192 any", "192x192 maskable", "512x512 any", "512x512 maskable"]);
    const worker = await request.get("/sw.js");
    expect(worker.headers()["cache-control"]).toBe("no-cache");
    expect(worker.headers()["content-security-policy"]).toContain("worker-src 'self'");

    // Logged in, so the portal also asks the API (which the worker must leave alone).
    const { api } = await accountWithButton(playwright, server);
    await page.context().addCookies((await api.storageState()).cookies);
    await page.goto("/");
    await expect(page.getByRole("switch", { name: "Available to answer calls" })).toBeVisible();
    expect(await page.locator('link[rel="manifest"]').getAttribute("href")).toBe("/manifest.webmanifest");
    const state = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const names = await caches.keys();
      const urls: string[] = [];
      for (const name of names) {
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      }
      return { scope: registration.scope, active: registration.active?.state, names, urls };
    });
    expect(state.scope).toBe(`${server.url}/`);
    expect(state.active).toBe("activated");
    expect(state.names).toHaveLength(1);
    expect(state.names[0]).toMatch(/^cac-shell-/);
    expect(state.urls).toContain("/index.html");
    expect(state.urls.some((u) => u.startsWith("/assets/"))).toBe(true);

    // A reload under the worker's control asks the API again (nothing of it is cached).
    await page.reload();
    await expect(page.getByRole("switch", { name: "Available to answer calls" })).toBeVisible();
    const after = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      }
      return { controlled: Boolean(navigator.serviceWorker.controller), urls };
    });
    expect(after.controlled).toBe(true);
    expect(after.urls.filter((u) => u.startsWith("/trpc") || u.startsWith("/api"))).toEqual([]);
    expect(after.urls).toEqual(state.urls);

    // Offline, a page load gets the cached shell (network first, the shell as fallback): the portal
    // starts and says it cannot reach the server, instead of the browser's offline page.
    await page.context().setOffline(true);
    await page.goto("/calls");
    await expect(page.getByText("We could not load your account")).toBeVisible();
    await page.context().setOffline(false);
  });
});

test.describe("a call answered from its push notification", () => {
  test.describe.configure({ timeout: 300_000 });

  test("the push shows the call with Answer and Decline; Answer brings up the portal, which answers the real call", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const me = await trpcQuery<Me>(api, "account.me");
    const agent = await agentReady(browser, api, testInfo);
    await agent.context.grantPermissions(["notifications", "microphone"], { origin: server.url });
    const { cdp, registrationId, worker } = await portalWorker(agent.context, agent.page, server);

    const visitor = await visitorCalls(browser, site, button.publicId);
    const callId = await ringingCall(server, button.id);
    const ring = agent.page.getByRole("article", { name: "Main site" });
    await expect(ring).toContainText("Incoming call");

    const pageUrl = site.url(button.publicId);
    await deliverPush(
      cdp,
      server,
      registrationId,
      incomingCallPush(callId, me.account.id, pageUrl, "Main site"),
    );
    await expect.poll(() => shownNotifications(worker).then((list) => list.length)).toBe(1);
    const [shown] = await shownNotifications(worker);
    expect(shown).toMatchObject({
      title: `Call from ${pageLabel(pageUrl)}`,
      body: "Main site",
      tag: `call-${callId}`,
      requireInteraction: true,
      actions: [
        { action: "answer", title: "Answer" },
        { action: "decline", title: "Decline" },
      ],
      data: {
        type: "incoming_call",
        callId,
        accountId: me.account.id,
        url: `/?answer=${callId}&account=${me.account.id}`,
      },
    });

    // The member presses Answer on the notification: the worker finds the open portal and tells it.
    const outcome = await worker.evaluate(async () => {
      const sw = self as unknown as {
        registration: ServiceWorkerRegistration;
        handleNotificationAction(click: { action: string; data: unknown }): Promise<string>;
      };
      const [notification] = await sw.registration.getNotifications();
      notification?.close();
      return sw.handleNotificationAction({ action: "answer", data: notification?.data });
    });
    expect(outcome).toBe("messaged");

    // The portal answers through its phone panel: both sides connect.
    const card = agent.page.getByRole("article", { name: "Main site" });
    await expect(card).toContainText("Connected", { timeout: 30_000 });
    await expect(visitor.dialog).toContainText("Connected", { timeout: 30_000 });
    const row = await trpcQuery<{ state: string; answeredBy: string | null }>(api, "phone.callState", {
      callId,
    });
    expect(row).toMatchObject({ state: "answered", answeredBy: me.user.name });

    await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(card).toContainText("Call ended");
    await visitor.context.close();
    await agent.context.close();
  });

  test("Decline on the notification declines the ringing call through the open portal", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const me = await trpcQuery<Me>(api, "account.me");
    const agent = await agentReady(browser, api, testInfo);
    await agent.context.grantPermissions(["notifications", "microphone"], { origin: server.url });
    const { cdp, registrationId, worker } = await portalWorker(agent.context, agent.page, server);
    const visitor = await visitorCalls(browser, site, button.publicId);
    const callId = await ringingCall(server, button.id);
    await expect(agent.page.getByRole("article", { name: "Main site" })).toContainText("Incoming call");

    const pageUrl = site.url(button.publicId);
    await deliverPush(
      cdp,
      server,
      registrationId,
      incomingCallPush(callId, me.account.id, pageUrl, "Main site"),
    );
    await expect.poll(() => shownNotifications(worker).then((list) => list.length)).toBe(1);
    const outcome = await worker.evaluate(async () => {
      const sw = self as unknown as {
        registration: ServiceWorkerRegistration;
        handleNotificationAction(click: { action: string; data: unknown }): Promise<string>;
      };
      const [notification] = await sw.registration.getNotifications();
      notification?.close();
      return sw.handleNotificationAction({ action: "decline", data: notification?.data });
    });
    expect(outcome).toBe("messaged");

    await expect(visitor.dialog).toContainText("No one could take your call");
    await expect(agent.page.locator("#phone-dock-body")).toContainText("You declined the call.");
    await expect(agent.page.getByRole("article", { name: "Main site" })).toHaveCount(0);
    expect((await trpcQuery<{ state: string }>(api, "phone.callState", { callId })).state).toBe("ended");
    await visitor.context.close();
    await agent.context.close();
  });

  test("a call taken elsewhere: opening its notification says who took it", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const me = await trpcQuery<Me>(api, "account.me");
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await visitorCalls(browser, site, button.publicId);
    const callId = await ringingCall(server, button.id);
    await expect(agent.page.getByRole("article", { name: "Main site" })).toContainText("Incoming call");

    // Another device of the member answers it first.
    await trpc(api, "phone.answer", { sessionId: callId });
    // (The same member on another device: this window says so.)
    await expect(agent.page.locator("#phone-dock-body")).toContainText("Answered in another window.");

    // The notification opens the portal at its link (a new window: openWindow).
    const opened = await agent.context.newPage();
    await opened.goto(`/?answer=${callId}&account=${me.account.id}`);
    await expect(opened.locator("#phone-dock-body")).toContainText(`Taken by ${me.user.name}.`);
    // The request is taken out of the address, so a reload does not act on it again.
    await expect(opened).not.toHaveURL(/answer=/);
    await visitor.context.close();
    await agent.context.close();
  });
});
