import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterSkipReason, type RestartTiming, startCluster } from "./cluster/cluster";
import { keepAliveClient, trpcQueryPath } from "./cluster/http-client";
import { clusterOwner } from "./cluster/owner";

/**
 * A rolling restart of three real server processes behind a real nginx (docs/nginx-cluster.conf),
 * on PostgreSQL and Redis: each instance in turn gets SIGTERM, exits, is started again on its port
 * and becomes ready before the next one goes. Meanwhile clients keep making ordinary requests
 * through nginx, and none of them may fail.
 */

const skip = clusterSkipReason();
if (skip) console.warn(`rolling-restart.test.ts is skipped: ${skip}`);

/** docs/nginx-cluster.conf's fail_timeout. */
const NGINX_FAIL_TIMEOUT_MS = 2000;

type Outcome = { at: number; what: string; status: number | null; error?: string };

it("docs/deploy.md shows docs/nginx-cluster.conf, the configuration these tests run, as it is", () => {
  const read = (path: string) =>
    readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), "utf8");
  expect(read("docs/deploy.md")).toContain(read("docs/nginx-cluster.conf").trim());
});

describe.skipIf(skip !== null)("a rolling restart of three instances behind nginx", () => {
  let cluster: Cluster;
  let owner: Awaited<ReturnType<typeof clusterOwner>>;

  beforeAll(async () => {
    cluster = await startCluster();
    owner = await clusterOwner(cluster);
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it("no request fails while each instance in turn is stopped (SIGTERM, exit 0) and started again", {
    timeout: 300_000,
  }, async () => {
    const portal = { origin: cluster.url, cookie: owner.cookie };
    // What a portal tab and visitors' pages do all day: the widget's config, the session's user
    // and account, a mutation, and the load balancer's health check.
    const requests: Array<{
      what: string;
      method: "GET" | "POST";
      path: string;
      headers?: Record<string, string>;
      json?: unknown;
    }> = [
      {
        what: "widget config",
        method: "GET",
        path: `/widget/config/${owner.button.publicId}`,
        headers: { origin: "https://shop.test" },
      },
      { what: "account.me", method: "GET", path: trpcQueryPath("account.me"), headers: portal },
      { what: "healthz", method: "GET", path: "/healthz" },
      {
        what: "phone.setAvailable",
        method: "POST",
        path: "/trpc/phone.setAvailable",
        headers: portal,
        json: { json: { available: false } },
      },
    ];

    const outcomes: Outcome[] = [];
    let running = true;
    // Eight clients, each from an address of its own with its connections kept open.
    const loops = [20, 21, 22, 23, 24, 25, 26, 27].map(async (host, index) => {
      const client = keepAliveClient(cluster.proxyPort, `127.0.0.${host}`);
      try {
        for (let i = index; running; i++) {
          const { what, method, path, headers, json } = requests[i % requests.length]!;
          const at = performance.now();
          try {
            const answer = await client.request(method, path, { headers, json });
            outcomes.push({
              at,
              what,
              status: answer.status,
              ...(answer.status === 200 ? {} : { error: answer.body.slice(0, 300) }),
            });
          } catch (error) {
            outcomes.push({ at, what, status: null, error: String(error) });
          }
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      } finally {
        client.close();
      }
    });

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const timings: Array<RestartTiming & { from: number; to: number }> = [];
    for (const instance of cluster.instances) {
      const from = performance.now();
      const timing = await cluster.restart(instance);
      timings.push({ ...timing, from, to: performance.now() });
      // As docs/deploy.md says: nginx takes a restarted instance back after its fail_timeout.
      await new Promise((resolve) => setTimeout(resolve, NGINX_FAIL_TIMEOUT_MS + 500));
    }
    running = false;
    await Promise.all(loops);

    const failed = outcomes.filter((outcome) => outcome.status !== 200);
    const during = timings.map(
      (timing) => outcomes.filter((outcome) => outcome.at >= timing.from && outcome.at <= timing.to).length,
    );
    console.log(
      [
        `rolling restart through nginx: ${outcomes.length} requests, ${failed.length} failed`,
        ...timings.map(
          (timing, i) =>
            `  ${timing.instance}: SIGTERM to exit ${timing.exitMs} ms (code ${timing.exitCode}), start to ready ${timing.readyMs} ms, ${during[i]} requests meanwhile`,
        ),
        `  resident memory after it: ${cluster.instances.map((instance) => `${instance.name} ${instance.rssMb()} MB`).join(", ")}`,
      ].join("\n"),
    );
    const summary = failed.map((f) => `${Math.round(f.at)} ${f.what}: ${f.status ?? f.error}`);
    expect(failed, `${summary.join("\n")}\n${cluster.nginx.log()}`).toEqual([]);
    expect(timings.map((timing) => timing.exitCode)).toEqual([0, 0, 0]);
    // Each restart happened under load: the loop was not idle while an instance was away.
    for (const count of during) expect(count).toBeGreaterThan(20);
    for (const instance of cluster.instances) {
      expect(instance.output()).not.toMatch(/did not finish in time|shutdown failed/);
    }
  });
});
