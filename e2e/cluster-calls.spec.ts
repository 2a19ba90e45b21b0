import { type Cluster, clusterSkipReason, startCluster } from "../apps/server/test/cluster/cluster";
import { trpcQuery } from "./api";
import { accountWithButton, agentReady, inboundAudioBytes, visitorCalls } from "./call-parties";
import { test as base, type E2eServer, expect } from "./fixtures";
import { type Site, serveThirdPartySite } from "./third-party-site";

/**
 * A browser call through a real deployment (apps/server/test/cluster/cluster.ts): three
 * processes of the built server on PostgreSQL and Redis behind nginx (docs/nginx-cluster.conf).
 * The agent's portal and the visitor's widget both go through nginx, round robin, so their
 * requests and live streams land on any instance. During the call each instance in turn is
 * stopped (SIGTERM) and started again; the call must carry on through all three restarts.
 *
 * It needs PostgreSQL and Redis (TEST_DATABASE_URL, REDIS_URL; CI sets both). What it proves
 * rests on call state changes being compare-and-set on the stored state, with the ring deadline in
 * the database (the instance that started the call must not end it at its old ring timer once
 * another instance's agent answered), and on live streams that resume after their instance stops.
 */

const skipReason = clusterSkipReason();

/** The portal's ring timeout here: the instance that started the call is restarted well after it. */
const RING_TIMEOUT_SECONDS = 20;
/** docs/nginx-cluster.conf's fail_timeout: nginx takes a restarted instance back after it. */
const NGINX_FAIL_TIMEOUT_MS = 2000;

const test = base.extend<object, { cluster: Cluster; clusterServer: E2eServer; site: Site }>({
  cluster: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a function destructures
    async ({}, use) => {
      const cluster = await startCluster({ env: { RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS) } });
      await use(cluster);
      await cluster.close();
    },
    { scope: "worker", timeout: 240_000 },
  ],
  // What the shared helpers know of a server: its address, its database and its emails.
  clusterServer: [
    async ({ cluster }, use) => {
      await use({
        url: cluster.url,
        db: cluster.db,
        async lastEmailTo(to) {
          // The instances' email queue delivers a moment after the request that queued it.
          for (let tries = 0; tries < 150; tries++) {
            const mails = await cluster.emailsTo(to);
            if (mails.length) return mails.at(-1);
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          return undefined;
        },
      });
    },
    { scope: "worker" },
  ],
  site: [({ clusterServer }, use) => serveThirdPartySite(clusterServer, use), { scope: "worker" }],
  baseURL: async ({ cluster }, use) => {
    await use(cluster.url);
  },
});

test.describe("a browser call through nginx and three instances", () => {
  test.skip(skipReason !== null, skipReason ?? "");
  // Three restarts, two browsers and real media on a shared two-core machine: generous.
  test.describe.configure({ timeout: 420_000 });

  test("stays connected with audio both ways while each instance in turn is restarted; the visitor hangs up, and the log has one completed call", async ({
    browser,
    playwright,
    cluster,
    clusterServer,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, clusterServer);
    const owner = await trpcQuery<{ user: { email: string } }>(api, "account.me");
    const agent = await agentReady(browser, api, testInfo);
    const visitor = await visitorCalls(browser, site, button.publicId);
    const card = agent.page.getByRole("article", { name: "Main site" });
    const answer = card.getByRole("button", { name: "Answer" });
    await expect(answer).toBeVisible();
    const rangAt = Date.now();
    // The instance that ran calls.start holds the ring timer. The agent's answer goes through
    // another one (nginx leaves the starter out meanwhile), and the starter is restarted last,
    // after the ring timeout has passed: its timer must not end the answered call.
    const starter = cluster.instances.find((instance) => instance.output().includes("/trpc/calls.start"));
    if (!starter) throw new Error("no instance logged calls.start");
    await cluster.routeAround([starter]);
    await answer.click();
    const answeredAt = Date.now();
    await expect(card).toContainText("Connected", { timeout: 30_000 });
    await cluster.routeAround([]);
    const answerer = cluster.instances.find((instance) => instance.output().includes("phone.answer"));
    expect(answerer?.name).not.toBe(starter.name);
    console.log(`calls.start on ${starter.name}, phone.answer on ${answerer?.name}`);

    await expect(visitor.dialog).toContainText("Connected");
    await expect(card).toContainText("Connected", { timeout: 30_000 });
    const flowing = async () => {
      const before = [await inboundAudioBytes(visitor.page), await inboundAudioBytes(agent.page)];
      await expect
        .poll(() => inboundAudioBytes(visitor.page), { timeout: 30_000 })
        .toBeGreaterThan(before[0]!);
      await expect.poll(() => inboundAudioBytes(agent.page), { timeout: 30_000 }).toBeGreaterThan(before[1]!);
    };
    await flowing();

    const order = [...cluster.instances.filter((instance) => instance !== starter), starter];
    for (const instance of order) {
      if (instance === starter) {
        const wait = rangAt + (RING_TIMEOUT_SECONDS + 5) * 1000 - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const timing = await cluster.restart(instance);
      console.log(
        `${instance.name}${instance === starter ? " (started the call)" : ""}: SIGTERM to exit ${timing.exitMs} ms (code ${timing.exitCode}), start to ready ${timing.readyMs} ms`,
      );
      expect(timing.exitCode).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, NGINX_FAIL_TIMEOUT_MS + 500));
      // Still the same call, connected on both sides, and each still hears the other.
      await expect(visitor.dialog).toContainText("Connected");
      await expect(card).toContainText("Connected");
      await flowing();
    }

    await visitor.dialog.getByRole("button", { name: "Hang up" }).click();
    const hungUpAt = Date.now();
    await expect(visitor.dialog).toContainText("Call ended");
    await expect(card).toContainText("Call ended");
    await expect(card).toContainText("The caller hung up.");
    for (const side of [visitor.page, agent.page]) {
      const peers = await side.evaluate(() =>
        (window as unknown as { __peers: RTCPeerConnection[] }).__peers.map((pc) => pc.signalingState),
      );
      // One peer connection for the whole call, closed now: it was never set up again.
      expect(peers).toEqual(["closed"]);
    }

    const log = await trpcQuery<{ items: Array<{ status: string; durationSeconds: number }> }>(
      api,
      "callLog.list",
      {},
    );
    expect(log.items).toHaveLength(1);
    expect(log.items[0]?.status).toBe("completed");
    const talked = (hungUpAt - answeredAt) / 1000;
    expect(Math.abs((log.items[0]?.durationSeconds ?? 0) - talked)).toBeLessThanOrEqual(3);
    // No instance took the answered call for a missed one.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const mails = await cluster.emailsTo(owner.user.email);
    expect(mails.filter((mail) => mail.subject.startsWith("Missed call"))).toEqual([]);

    expect(visitor.errors, "uncaught errors on the visitor's page").toEqual([]);
    expect(agent.errors, "uncaught errors in the portal").toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });
});
