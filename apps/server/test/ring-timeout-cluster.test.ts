import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { openEventStream, until } from "./cluster/event-stream";
import { clusterOwner } from "./cluster/owner";
import { createTestClient } from "./harness";

/**
 * A ring outlives the instance that started it: three real server processes on PostgreSQL and
 * Redis behind nginx; a visitor's call is started on instance A, which is stopped (SIGTERM) while
 * the call rings. The call must still end as no-answer when its ring deadline passes, exactly
 * once: one end event for the visitor and for the agents, one missed-call email, even after A
 * comes back and sweeps on start.
 */

const skip = clusterSkipReason();
if (skip) console.warn(`ring-timeout-cluster.test.ts is skipped: ${skip}`);

const RING_TIMEOUT_SECONDS = 8;
/**
 * "On time": a stopped instance's timer is gone, so another instance acts on the deadline, at
 * the latest on its sweeper's next pass (every 15 s, for calls 5 s past their deadline).
 * A few seconds more for a loaded machine.
 */
const LATEST_AFTER_DEADLINE_MS = 15_000 + 5_000 + 5_000;

type VisitorEvent = { type: string; status?: string };
type AgentEvent = { type: string; sessionId?: string; call?: { sessionId: string }; status?: string };

describe.skipIf(skip !== null)("a ringing call whose instance stops", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ env: { RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS) } });
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it("still ends as no-answer at its deadline, exactly once, on another instance", {
    timeout: 180_000,
  }, async () => {
    const [a, b, c] = cluster.instances;
    if (!a || !b || !c) throw new Error("three instances expected");
    const owner = await clusterOwner(cluster);
    const portal = { origin: cluster.url, cookie: owner.cookie };
    await owner.client.trpc.phone.setAvailable.mutate({ available: true });
    // The agent's phone panel, held on instance C (straight to it: it never moves).
    const agent = openEventStream<AgentEvent>(c.url, "phone.events", undefined, portal);
    await until(() => agent.connections() > 0, "the agent's panel to connect");

    // The visitor's call starts on instance A, whose process holds the ring's timer.
    const visitor = createTestClient(a.url, "https://shop.test");
    const call = await visitor.trpc.calls.start.mutate({ button: owner.button.publicId });
    if (call.transport !== "webrtc") throw new Error("a browser call expected");
    // The visitor's page listens on instance B.
    const heard = openEventStream<VisitorEvent>(
      b.url,
      "calls.events",
      { button: owner.button.publicId, sessionId: call.sessionId, token: call.token },
      { origin: "https://shop.test" },
    );
    await until(() => agent.events.some((e) => e.type === "ring"), "the ring to reach the agent");

    const stopped = await a.stop("SIGTERM");
    expect(stopped.code, a.output()).toBe(0);
    const [ringing] = await cluster.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
    expect(ringing?.status).toBe("ringing");

    const ends = () => heard.events.filter((e) => e.type === "ended");
    await until(
      () => ends().length > 0,
      "the call to end",
      RING_TIMEOUT_SECONDS * 1000 + LATEST_AFTER_DEADLINE_MS + 10_000,
    );
    const [row] = await cluster.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
    expect(row).toMatchObject({ status: "no-answer", durationSeconds: 0, answeredAt: null });
    const rang = (row?.endedAt?.getTime() ?? 0) - (row?.startedAt.getTime() ?? 0);
    console.log(`ring of ${RING_TIMEOUT_SECONDS} s with its instance stopped: ended after ${rang} ms`);
    expect(rang).toBeGreaterThanOrEqual(RING_TIMEOUT_SECONDS * 1000);
    expect(rang).toBeLessThanOrEqual(RING_TIMEOUT_SECONDS * 1000 + LATEST_AFTER_DEADLINE_MS);

    // Instance A comes back (and sweeps at once); the other two keep sweeping. Nothing more.
    await a.start();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const missed = (await cluster.emailsTo(owner.email)).filter((m) => m.subject.startsWith("Missed call"));
    expect(missed).toHaveLength(1);
    expect(ends()).toEqual([expect.objectContaining({ type: "ended", status: "no-answer" })]);
    const agentEnds = agent.events.filter((e) => e.type === "ended" && e.sessionId === call.sessionId);
    expect(agentEnds).toHaveLength(1);
    heard.close();
    agent.close();
  });
});
