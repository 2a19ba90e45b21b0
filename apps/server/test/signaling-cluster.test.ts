import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { openEventStream, until } from "./cluster/event-stream";
import { clusterOwner, pubsubMode } from "./cluster/owner";
import { createTestClient } from "./harness";

/**
 * Signaling between two real server processes through Redis: the visitor's requests and live
 * stream on instance A, the agent's on instance B (each straight to its instance, so neither
 * moves), on one PostgreSQL and one Redis. Every step of a call crosses from one process to the
 * other.
 */

const skip = clusterSkipReason();
if (skip) console.warn(`signaling-cluster.test.ts is skipped: ${skip}`);

type Event = { type: string; status?: string; sessionId?: string; payload?: { sdp?: string } };

describe.skipIf(skip !== null)("signaling across two server processes", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it("a visitor on one instance reaches an agent on the other: ring, answer, offer, hang-up", async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    // Each process fans out through Redis: an in-process pubsub would reach nobody on the other.
    for (const instance of [a, b]) expect(await pubsubMode(cluster, instance)).toBe("Redis");
    const owner = await clusterOwner(cluster);
    // The agent's portal speaks to instance B, with the session the owner got through nginx.
    const agent = createTestClient(b.url, cluster.url);
    for (const [name, value] of owner.client.jar) agent.jar.set(name, value);
    await agent.trpc.phone.setAvailable.mutate({ available: true });
    const panel = openEventStream<Event>(b.url, "phone.events", undefined, {
      origin: cluster.url,
      cookie: owner.cookie,
    });
    await until(() => panel.connections() > 0, "the agent's panel to connect");

    const visitor = createTestClient(a.url, "https://shop.test");
    const started = await visitor.trpc.calls.start.mutate({ button: owner.button.publicId });
    const call = { button: owner.button.publicId, sessionId: started.sessionId, token: started.token };
    await until(() => panel.events.some((e) => e.type === "ring"), "the ring, published on A, on B's stream");
    const heard = openEventStream<Event>(a.url, "calls.events", call, { origin: "https://shop.test" });
    await until(() => heard.events.some((e) => e.type === "ringing"), "the visitor's stream on A");

    await agent.trpc.phone.answer.mutate({ sessionId: started.sessionId });
    await until(() => heard.events.some((e) => e.type === "answered"), "the answer, made on B, on A");
    await visitor.trpc.calls.signal.mutate({
      ...call,
      payload: { kind: "offer", sdp: "cross-process offer" },
    });
    await until(() => panel.events.some((e) => e.type === "signal"), "the offer, sent to A, on B");
    expect(panel.events.find((e) => e.type === "signal")).toMatchObject({
      sessionId: started.sessionId,
      payload: { sdp: "cross-process offer" },
    });

    await agent.trpc.phone.hangUp.mutate({ sessionId: started.sessionId });
    await until(() => heard.events.some((e) => e.type === "ended"), "the hang-up, made on B, on A");
    expect(heard.events.filter((e) => e.type === "ended")).toEqual([
      expect.objectContaining({ status: "completed" }),
    ]);
    heard.close();
    panel.close();
  });
});
