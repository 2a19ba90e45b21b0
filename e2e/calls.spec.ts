import { trpcQuery } from "./api";
import { accountWithButton, agentReady, inboundAudioBytes, party, visitorCalls } from "./call-parties";
import { test as base, expect } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * A browser call end to end, in two browser contexts of Debian's Chromium with a fake microphone:
 * a visitor on a customer's site (another origin, under a strict CSP) calls through the widget,
 * and an agent answers in the portal's phone panel. Audio really flows between the two (the
 * parties and their statistics: call-parties.ts).
 */

const test = base.extend<object, { site: Site }>({
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

/**
 * A short ring timeout for this file's server (workers of its own), so the no-answer test does not
 * wait 30 s; long enough that the agent in the other tests answers well before it on a busy machine.
 */
const RING_TIMEOUT_SECONDS = 20;
test.use({ serverEnv: { RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS) } });

type CallRow = {
  status: string;
  durationSeconds: number;
  transport: string;
  visitorIp: string;
  pageUrl: string | null;
};

test.describe("a browser call from a customer's site, answered in the portal", () => {
  // Two browsers, a server and real media on a shared two-core machine: generous.
  test.describe.configure({ timeout: 300_000 });

  test("both sides connect with audio flowing, the visitor hangs up, and the log has the completed call", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await visitorCalls(browser, site, button.publicId);

    // The agent's panel rings with the button and the page; focus is on Answer, and Enter answers.
    // (Screenshots of the ringing state are taken in the no-answer test, which has time for them.)
    const ring = agent.page.getByRole("article", { name: "Main site" });
    const answer = ring.getByRole("button", { name: "Answer" });
    await expect(answer).toBeFocused();
    await expect(ring).toContainText(/Incoming call\s*Main site\s*From localhost:\d+/);
    await answer.press("Enter");

    // Both sides connected, and each hears the other: inbound audio bytes grow on both.
    await expect(visitor.dialog).toContainText("Connected");
    const card = agent.page.getByRole("article", { name: "Main site" });
    await expect(card).toContainText("Connected", { timeout: 30_000 });
    await expect(card.getByRole("button", { name: "Hang up" })).toBeFocused();
    await expect.poll(() => inboundAudioBytes(visitor.page), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => inboundAudioBytes(agent.page), { timeout: 30_000 }).toBeGreaterThan(0);
    // The visitor's dialog holds the agent's audio inside the widget's shadow root.
    expect(
      await visitor.page.evaluate(() => {
        const audio = document.querySelector("click-and-call")?.shadowRoot?.querySelector("audio");
        return audio?.srcObject instanceof MediaStream && audio.srcObject.getAudioTracks().length;
      }),
    ).toBe(1);

    // Mute on both sides toggles the microphone track and says so.
    const visitorMute = visitor.dialog.getByRole("button", { name: "Mute" });
    await visitorMute.click();
    await expect(visitorMute).toHaveAttribute("aria-pressed", "true");
    await visitorMute.click();
    await expect(visitorMute).toHaveAttribute("aria-pressed", "false");
    const agentMute = card.getByRole("button", { name: "Mute" });
    await agentMute.click();
    await expect(card.getByRole("button", { name: "Unmute" })).toHaveAttribute("aria-pressed", "true");
    await card.getByRole("button", { name: "Unmute" }).click();

    // Talk for a moment, so the call lasts at least a second and both timers move.
    await expect(visitor.dialog.locator(".tm")).not.toHaveText("0:00", { timeout: 10_000 });
    await expect(card.locator(".phone-timer")).not.toHaveText(/0:00$/, { timeout: 10_000 });
    await snap(visitor.page, testInfo, "visitor-2-connected");
    await snap(agent.page, testInfo, "agent-3-connected");

    await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(visitor.dialog).toContainText("Call ended");
    await expect(card).toContainText("Call ended");
    await expect(card).toContainText("The caller hung up.");
    await expect(
      agent.page.getByRole("article", { name: "Main site" }).getByRole("button", { name: "Close" }),
    ).toBeVisible();
    await snap(visitor.page, testInfo, "visitor-3-ended");
    await snap(agent.page, testInfo, "agent-4-ended");

    // Both sides let go of the microphone and the connection.
    for (const side of [visitor.page, agent.page]) {
      await expect
        .poll(() =>
          side.evaluate(() =>
            (window as unknown as { __peers: RTCPeerConnection[] }).__peers.every(
              (pc) => pc.signalingState === "closed",
            ),
          ),
        )
        .toBe(true);
    }
    expect(
      await visitor.page.evaluate(() => (window as unknown as { widgetEvents: unknown[] }).widgetEvents),
    ).toEqual([["ready", { open: true }], ["call-start"], ["call-end", { seconds: expect.any(Number) }]]);

    // The call log: completed, with the duration the server measured from answer to hang-up.
    const log = await trpcQuery<{ items: CallRow[] }>(api, "callLog.list", {});
    expect(log.items).toHaveLength(1);
    const [row] = log.items;
    expect(row).toMatchObject({ status: "completed", transport: "webrtc" });
    expect(row?.durationSeconds).toBeGreaterThanOrEqual(1);
    // The page, without a query string; the visitor's IP is kept.
    expect(row?.pageUrl).toBe(`${new URL(site.url(button.publicId)).origin}/`);
    expect(row?.visitorIp).toBeTruthy();

    expect(visitor.errors, "uncaught errors on the visitor's page").toEqual([]);
    expect(agent.errors, "uncaught errors in the portal").toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });

  test("at 360 px: the panel fits while ringing and in a call; the agent hangs up; a declined call offers the callback form", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const agent = await party(browser, {
      storageState: await api.storageState(),
      viewport: { width: 360, height: 740 },
    });
    const fits = () =>
      agent.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
    await agent.page.goto("/");
    await agent.page.getByRole("switch", { name: "Available to answer calls" }).click();
    await expect(agent.page.getByText("On: calls ring here")).toBeVisible();
    const visitor = await visitorCalls(browser, site, button.publicId);

    // Ringing: both actions on screen, nothing wider than the phone. (No screenshot before answering:
    // the ring must be answered well within the ring timeout.)
    const card = agent.page.getByRole("article", { name: "Main site" });
    const answer = card.getByRole("button", { name: "Answer" });
    await expect(answer).toBeInViewport();
    await expect(card.getByRole("button", { name: "Decline" })).toBeInViewport();
    expect(await fits()).toBe(true);
    await answer.click();

    await expect(card).toContainText("Connected", { timeout: 30_000 });
    await expect(visitor.dialog).toContainText("Connected");
    await expect(card.getByRole("button", { name: "Hang up" })).toBeInViewport();
    expect(await fits()).toBe(true);
    await snap(agent.page, testInfo, "agent-360-in-call");

    // The agent hangs up: both sides see the end.
    await card.getByRole("button", { name: "Hang up" }).click();
    await expect(card).toContainText("You hung up.");
    await expect(visitor.dialog).toContainText("Call ended");
    expect(await fits()).toBe(true);
    await snap(agent.page, testInfo, "agent-360-ended");
    await card.getByRole("button", { name: "Close" }).click();
    await expect(card).toHaveCount(0);

    // Calling again from the ended screen, and this time the agent declines at once: the visitor is told no one can take
    // the call and offered the callback form.
    await visitor.dialog.getByRole("button", { name: "Call again" }).click();
    await card.getByRole("button", { name: "Decline" }).click();
    await expect(visitor.dialog).toContainText("No one could take your call");
    await expect(visitor.dialog).toContainText("We can't take your call right now.");
    await expect(visitor.dialog.getByRole("form", { name: "Request a callback" })).toBeVisible();
    await expect(card).toHaveCount(0);
    await snap(visitor.page, testInfo, "visitor-declined");

    const log = await trpcQuery<{ items: CallRow[] }>(api, "callLog.list", {});
    expect(log.items.map((row) => row.status)).toEqual(["busy", "completed"]);
    expect(agent.errors).toEqual([]);
    expect(visitor.errors).toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });
});

test.describe("a call no one answers", () => {
  // Two browsers, a server and real media on a shared two-core machine: generous.
  test.describe.configure({ timeout: 300_000 });

  test("rings until the timeout, then the visitor is offered the callback form and sends it", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await visitorCalls(browser, site, button.publicId);
    await expect(visitor.dialog).toContainText("Ringing…");
    const ring = agent.page.getByRole("article", { name: "Main site" });
    await expect(ring).toContainText("Incoming call");
    await expect(ring).toContainText(`From ${new URL(site.url(button.publicId)).host}`);
    await expect(ring.getByRole("button", { name: "Answer" })).toBeFocused();
    await snap(visitor.page, testInfo, "visitor-1-ringing");
    await snap(agent.page, testInfo, "agent-2-ringing");

    // Nobody answers: at the ring timeout the server ends the call as no-answer.
    await expect(visitor.dialog).toContainText("No one could take your call", {
      timeout: (RING_TIMEOUT_SECONDS + 15) * 1000,
    });
    await expect(visitor.dialog).toContainText("No one answered in time.");
    await expect(ring).toHaveCount(0);
    await expect(agent.page.getByText("Missed call from Main site.")).toBeVisible();
    await snap(visitor.page, testInfo, "visitor-2-no-answer");
    await snap(agent.page, testInfo, "agent-3-missed");

    const form = visitor.dialog.getByRole("form", { name: "Request a callback" });
    await form.getByLabel("Name").fill("Val Visitor");
    await form.getByLabel("Phone number").fill("(202) 555-0188");
    await form.getByLabel("Message").fill("About the leak under the sink");
    await form.getByRole("button", { name: "Request a callback" }).click();
    await expect(visitor.dialog).toContainText("Thanks — we'll call you back.");
    await snap(visitor.page, testInfo, "visitor-3-callback-sent");

    expect(
      await visitor.page.evaluate(() => (window as unknown as { widgetEvents: unknown[] }).widgetEvents),
    ).toEqual([["ready", { open: true }], ["call-start"], ["call-end", { cause: "no-answer" }]]);
    const log = await trpcQuery<{ items: CallRow[] }>(api, "callLog.list", {});
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ status: "no-answer", durationSeconds: 0 });
    const callbacks = await trpcQuery<{ items: Array<{ name: string; phone: string }> }>(
      api,
      "callbacks.list",
      {},
    );
    expect(callbacks.items).toEqual([expect.objectContaining({ name: "Val Visitor" })]);

    expect(visitor.errors).toEqual([]);
    expect(agent.errors).toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });
});
