import type {
  APIRequestContext,
  Browser,
  BrowserContext,
  Page,
  PlaywrightWorkerArgs,
  TestInfo,
} from "@playwright/test";
import { buttonFields, confirmedAccountApi, trpc } from "./api";
import { type E2eServer, expect } from "./fixtures";
import { snap } from "./shots";
import type { Site } from "./third-party-site";

/**
 * The two parties of a browser call, each in a browser context of its own with a fake microphone:
 * the agent in the portal's phone panel, the visitor on a customer's site. Both pages get an init
 * script that keeps every RTCPeerConnection they create in `window.__peers`, so a test can read
 * the connections' statistics without any hook in the product.
 */

/**
 * A confirmed account with one button that rings the portal, always open; `api` holds its
 * session and sends the portal's Origin.
 */
export async function accountWithButton(playwright: PlaywrightWorkerArgs["playwright"], server: E2eServer) {
  const api = await playwright.request.newContext({
    baseURL: server.url,
    extraHTTPHeaders: { origin: server.url },
  });
  await confirmedAccountApi(api, server, "calls");
  const button = await trpc<{ id: string; publicId: string }>(api, "buttons.create", buttonFields());
  return { api, button };
}

/** Keeps every RTCPeerConnection of the page in `window.__peers`. */
export function trackPeers() {
  const w = window as unknown as {
    __peers: RTCPeerConnection[];
    RTCPeerConnection: typeof RTCPeerConnection;
  };
  w.__peers = [];
  const Native = w.RTCPeerConnection;
  w.RTCPeerConnection = class extends Native {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__peers.push(this);
    }
  };
}

/** Audio bytes received by the page's open peer connections (`inbound-rtp`). */
export function inboundAudioBytes(page: Page) {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers: RTCPeerConnection[] }).__peers;
    let bytes = 0;
    for (const pc of peers) {
      if (pc.connectionState === "closed") continue;
      const stats = await pc.getStats();
      stats.forEach((report) => {
        if (report.type === "inbound-rtp" && report.kind === "audio") bytes += report.bytesReceived ?? 0;
      });
    }
    return bytes;
  });
}

export type Party = { context: BrowserContext; page: Page; errors: Error[] };

export async function party(
  browser: Browser,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<Party> {
  const context = await browser.newContext({ ...options, permissions: ["microphone"] });
  await context.addInitScript(trackPeers);
  const page = await context.newPage();
  const errors: Error[] = [];
  page.on("pageerror", (error) => errors.push(error));
  return { context, page, errors };
}

/** The agent: logged in (the API context's session cookie), the phone panel set available. */
export async function agentReady(browser: Browser, api: APIRequestContext, testInfo: TestInfo) {
  const agent = await party(browser, { storageState: await api.storageState() });
  await agent.page.goto("/");
  const available = agent.page.getByRole("switch", { name: "Available to answer calls" });
  await expect(available).not.toBeChecked();
  await expect(agent.page.getByText("Off: calls don't ring here")).toBeVisible();
  await available.click();
  await expect(available).toBeChecked();
  await expect(agent.page.getByText("On: calls ring here")).toBeVisible();
  await snap(agent.page, testInfo, "agent-1-available");
  return agent;
}

/** The visitor opens the customer's page, opens the widget and presses "Call now". */
export async function visitorCalls(browser: Browser, site: Site, publicId: string) {
  const visitor = await party(browser);
  await visitor.page.goto(site.url(publicId));
  await visitor.page.getByRole("button", { name: "Call Acme" }).click();
  const dialog = visitor.page.getByRole("dialog", { name: "Call Acme" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Call now" }).click();
  return { ...visitor, dialog };
}
