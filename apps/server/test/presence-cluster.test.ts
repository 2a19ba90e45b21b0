import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { openEventStream, until } from "./cluster/event-stream";
import { clusterOwner } from "./cluster/owner";
import { createTestClient, uniqueIp } from "./harness";

/**
 * Presence across real server processes (PostgreSQL, Redis, two instances): an agent's phone panel
 * is held on instance A, and the widget asks instance B whether the button can take a call. B's
 * answer follows A's panel: yes while it is open and the agent is available, no within 10 s (the
 * widget's bound) once the panel closes or the agent turns calls off through another instance.
 */

const skip = clusterSkipReason();
if (skip) console.warn(`presence-cluster.test.ts is skipped: ${skip}`);

/** The widget's bound on how old its answer may be. */
const WIDGET_STALENESS_MS = 10_000;

describe.skipIf(skip !== null)("presence across instances", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it("a panel on A makes the button callable on B, and closing it flips B within 10 s", {
    timeout: 120_000,
  }, async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    const owner = await clusterOwner(cluster);
    const portal = { origin: cluster.url, cookie: owner.cookie };
    await owner.client.trpc.phone.setAvailable.mutate({ available: true });

    /** widget.callable as a visitor's widget asks it, straight to B (no HTTP cache here). */
    const callableOnB = async () => {
      const input = encodeURIComponent(JSON.stringify({ json: { button: owner.button.publicId } }));
      const res = await fetch(`${b.url}/trpc/widget.callable?input=${input}`, {
        headers: { origin: "https://shop.test", "x-forwarded-for": uniqueIp() },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { result: { data: { json: { callable: boolean } } } }).result.data.json
        .callable;
    };

    expect(await callableOnB()).toBe(false);
    const panel = openEventStream(a.url, "phone.events", undefined, portal);
    await until(() => panel.connections() > 0, "the agent's panel to connect to A");
    await until(callableOnB, "B to see the panel held on A", WIDGET_STALENESS_MS);

    panel.close();
    await until(async () => !(await callableOnB()), "B to see the panel closed on A", WIDGET_STALENESS_MS);

    // Open again on A; turning calls off through B is seen by B at once, and by A too.
    const again = openEventStream(a.url, "phone.events", undefined, portal);
    await until(() => again.connections() > 0, "the panel to reconnect to A");
    await until(callableOnB, "B to see the panel again", WIDGET_STALENESS_MS);
    const onB = createTestClient(b.url, cluster.url);
    for (const [name, value] of owner.client.jar) onB.jar.set(name, value);
    await onB.trpc.phone.setAvailable.mutate({ available: false });
    await until(async () => !(await callableOnB()), "B to see the switch off", WIDGET_STALENESS_MS);
    const onA = createTestClient(a.url, cluster.url);
    for (const [name, value] of owner.client.jar) onA.jar.set(name, value);
    expect(await onA.trpc.phone.availability.query()).toMatchObject({ available: false, reachable: false });
    again.close();
  });
});
