import type { Page } from "@playwright/test";
import { type LocalCoturn, startCoturn } from "../apps/server/test/coturn-server";
import { trpcQuery } from "./api";
import { accountWithButton, agentReady, inboundAudioBytes, visitorCalls } from "./call-parties";
import { test as base, expect } from "./fixtures";
import { snap } from "./shots";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * A browser call through a real coturn (Debian's, on loopback, configured from
 * docs/turnserver.conf), with the server set to TURN_URLS + TURN_SECRET and
 * ICE_TRANSPORT_POLICY=relay: each browser may only use the relay coturn opens for it with the
 * call's own credential, so the call connects through coturn or not at all.
 */

const test = base.extend<object, { site: Site; coturn: LocalCoturn }>({
  coturn: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a function destructures
    async ({}, use) => {
      const coturn = await startCoturn();
      await use(coturn);
      await coturn.stop();
    },
    { scope: "worker" },
  ],
  // This file's server hands out coturn with per-call credentials, and relay-only.
  serverEnv: [
    async ({ coturn }, use) =>
      use({ TURN_URLS: coturn.urls.join(","), TURN_SECRET: coturn.secret, ICE_TRANSPORT_POLICY: "relay" }),
    { scope: "worker" },
  ],
  site: [({ server }, use) => serveThirdPartySite(server, use), { scope: "worker" }],
});

type Candidate = { type: string; address: string; port: number; protocol?: string; url?: string };
type PeerView = {
  /** The candidate pair ICE selected (the transport's selectedCandidatePairId). */
  selected: { state: string; local: Candidate; remote: Candidate } | null;
  /** Every candidate this browser gathered. */
  gathered: Candidate[];
};

/** The selected candidate pair and the gathered candidates of each open peer connection of the page. */
function peerViews(page: Page): Promise<PeerView[]> {
  return page.evaluate(async () => {
    const peers = (window as unknown as { __peers: RTCPeerConnection[] }).__peers;
    const views: PeerView[] = [];
    for (const pc of peers) {
      if (pc.connectionState === "closed") continue;
      const reports = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((report) => {
        reports.set(report.id, report);
      });
      const candidate = (id: unknown): Candidate => {
        const c = reports.get(String(id)) ?? {};
        return {
          type: String(c.candidateType),
          address: String(c.address),
          port: Number(c.port),
          ...(c.relayProtocol ? { protocol: String(c.relayProtocol) } : {}),
          ...(c.url ? { url: String(c.url) } : {}),
        };
      };
      const all = [...reports.values()];
      const pairId = all.find((r) => r.type === "transport")?.selectedCandidatePairId;
      const pair = pairId ? reports.get(String(pairId)) : undefined;
      views.push({
        selected: pair
          ? {
              state: String(pair.state),
              local: candidate(pair.localCandidateId),
              remote: candidate(pair.remoteCandidateId),
            }
          : null,
        gathered: all.filter((r) => r.type === "local-candidate").map((r) => candidate(r.id)),
      });
    }
    return views;
  });
}

/** The page's one peer connection once ICE has selected a pair whose both ends are relays. */
async function relayedPeer(page: Page): Promise<PeerView> {
  let view: PeerView | undefined;
  await expect
    .poll(
      async () => {
        [view] = await peerViews(page);
        return view?.selected && [view.selected.state, view.selected.local.type, view.selected.remote.type];
      },
      { timeout: 30_000 },
    )
    .toEqual(["succeeded", "relay", "relay"]);
  return view as PeerView;
}

/** Audio bytes received keep growing: the first reading above 0, then a larger one. */
async function audioRising(page: Page) {
  await expect.poll(() => inboundAudioBytes(page), { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await inboundAudioBytes(page);
  await expect.poll(() => inboundAudioBytes(page), { timeout: 30_000 }).toBeGreaterThan(first);
  return { first, later: await inboundAudioBytes(page) };
}

test.describe("a browser call relayed by coturn (ICE_TRANSPORT_POLICY=relay)", () => {
  // Two browsers, a server, coturn and real media on a shared two-core machine: generous.
  test.describe.configure({ timeout: 300_000 });

  test("connects through coturn with the call's credentials: both ends of the selected pair are relays, audio flows both ways", async ({
    browser,
    playwright,
    server,
    site,
    coturn,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const agent = await agentReady(browser, api, testInfo);
    // The portal says which relay is on.
    await expect(agent.page.getByRole("list", { name: "Server modes" })).toContainText(
      `TURN relay: coturn at turn:127.0.0.1:${coturn.port}?transport=udp, turn:127.0.0.1:${coturn.port}?transport=tcp (shared secret: a credential per call, valid 10 minutes); relay only (ICE_TRANSPORT_POLICY=relay)`,
    );
    const visitor = await visitorCalls(browser, site, button.publicId);
    const card = agent.page.getByRole("article", { name: "Main site" });
    await card.getByRole("button", { name: "Answer" }).click();
    await expect(visitor.dialog).toContainText("Connected", { timeout: 30_000 });
    await expect(card).toContainText("Connected", { timeout: 30_000 });

    // Each side: one connection, its selected pair relay to relay, through this coturn (over UDP or
    // TCP to coturn: the server hands out both of its URLs, and ICE may settle on either).
    const visitorPeer = await relayedPeer(visitor.page);
    const agentPeer = await relayedPeer(agent.page);
    for (const view of [visitorPeer, agentPeer]) {
      expect(view.selected?.local).toMatchObject({
        address: "127.0.0.1",
        protocol: expect.stringMatching(/^(udp|tcp)$/),
        url: expect.stringMatching(new RegExp(`^turn:127\\.0\\.0\\.1:${coturn.port}\\?transport=`)),
      });
      // Relay-only: the browser gathered no host or server-reflexive candidate at all.
      expect(view.gathered.length).toBeGreaterThan(0);
      expect(new Set(view.gathered.map((c) => c.type))).toEqual(new Set(["relay"]));
    }
    // The two relays face each other: each side's remote end is the other side's relay.
    const endpoint = (c: Candidate | undefined) => `${c?.address}:${c?.port}`;
    expect(endpoint(visitorPeer.selected?.remote)).toBe(endpoint(agentPeer.selected?.local));
    expect(endpoint(agentPeer.selected?.remote)).toBe(endpoint(visitorPeer.selected?.local));

    // Audio flows both ways through the relays.
    const bytes = { visitor: await audioRising(visitor.page), agent: await audioRising(agent.page) };
    const evidence = JSON.stringify(
      { visitor: visitorPeer.selected, agent: agentPeer.selected, bytes },
      null,
      2,
    );
    await testInfo.attach("selected-pairs", { body: evidence, contentType: "application/json" });
    await snap(visitor.page, testInfo, "visitor-relayed");
    await snap(agent.page, testInfo, "agent-relayed");

    // coturn opened those relays for this call's credential (username expiry:sessionId), and for
    // no other: both browsers authenticated with what the server issued for the call.
    const log = await trpcQuery<{ items: Array<{ id: string }> }>(api, "callLog.list", {});
    const sessionId = log.items[0]?.id ?? "";
    expect(sessionId).not.toBe("");
    const allocations = [
      ...coturn.log().matchAll(/user <(\d+):([^>]+)>: incoming packet ALLOCATE processed, success/g),
    ];
    expect(allocations.length).toBeGreaterThanOrEqual(2);
    for (const [, expiry, user] of allocations) {
      expect(user).toBe(sessionId);
      // Valid 10 minutes at most from when the server issued it.
      expect(Number(expiry) * 1000).toBeLessThanOrEqual(Date.now() + 600_000);
    }

    await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
    await expect(visitor.dialog).toContainText("Call ended");
    await expect(card).toContainText("Call ended");
    const after = await trpcQuery<{ items: Array<{ status: string }> }>(api, "callLog.list", {});
    expect(after.items.map((row) => row.status)).toEqual(["completed"]);

    expect(visitor.errors, "uncaught errors on the visitor's page").toEqual([]);
    expect(agent.errors, "uncaught errors in the portal").toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });
});
