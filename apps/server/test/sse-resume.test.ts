import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOwner } from "./call-clients";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { availableOwnerOn, instanceSide, pubsubMode } from "./cluster/owner";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness, type TestClient, uniqueIp } from "./harness";
import { readSse, subscriptionUrl } from "./sse-reader";

/** Where a client's requests go: an in-process harness, or one instance of a real cluster. */
type Side = Pick<Harness, "url" | "client">;
/** An available owner with a button, whose portal speaks to one side. */
type Owner = { owner: TestClient; button: { publicId: string } };

const SHOP = "https://shop.test";
const offer = { kind: "answer" as const, sdp: "v=0 agent answer" };
const ice = (n: number) => ({
  kind: "ice" as const,
  candidate: {
    candidate: `candidate:${n} 1 udp 1 192.0.2.${n} 5000 typ host`,
    sdpMid: "0",
    sdpMLineIndex: 0,
  },
});

async function startCall(h: Side, button: { publicId: string }) {
  const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
  const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
  return { button: button.publicId, sessionId: started.sessionId, token: started.token };
}

/** The visitor's call stream on `base`, resuming after `lastEventId` when given. */
function visitorStream(base: string, call: { button: string }, lastEventId?: string) {
  const input = lastEventId ? { ...call, lastEventId } : call;
  return readSse(subscriptionUrl(base, "calls.events", input), { headers: { origin: SHOP } });
}

/** The agent's phone panel feed on `base`, with the owner's cookies. */
function panelStream(base: string, owner: TestClient, lastEventId?: string) {
  return readSse(subscriptionUrl(base, "phone.events", lastEventId ? { lastEventId } : undefined), {
    fetch: owner.fetch,
  });
}

/**
 * While the visitor's stream is down, the agent (`agent`, whose portal speaks to the agent's side)
 * answers and sends its answer and two ICE candidates; the visitor comes back on `resumeOn` with
 * the last id it saw. `talked` is the duration the server measured for the call (0 on a test
 * clock that stands still; what it stored, across real processes).
 */
async function visitorResumes(
  first: Side,
  agent: Owner,
  resumeOn: Side,
  talked: (sessionId: string) => Promise<number> = async () => 0,
) {
  const { owner, button } = agent;
  const call = await startCall(first, button);
  const before = await visitorStream(first.url, call);
  await before.waitFor(1);
  expect(before.data()).toEqual([{ type: "ringing" }]);
  const seen = before.lastId();
  before.drop();

  await owner.trpc.phone.answer.mutate({ sessionId: call.sessionId });
  for (const payload of [offer, ice(1), ice(2)]) {
    await owner.trpc.phone.signal.mutate({ sessionId: call.sessionId, payload });
  }

  const after = await visitorStream(resumeOn.url, call, seen);
  await after.waitFor(4);
  await owner.trpc.phone.hangUp.mutate({ sessionId: call.sessionId });
  await after.ended;
  // What was published while it was away, once each and in order, then the live end; no state
  // snapshot repeating "answered", and nothing it had already seen.
  expect(after.data()).toEqual([
    { type: "answered" },
    { type: "signal", payload: offer },
    { type: "signal", payload: ice(1) },
    { type: "signal", payload: ice(2) },
    {
      type: "ended",
      status: "completed",
      reason: "The business hung up.",
      durationSeconds: await talked(call.sessionId),
    },
  ]);
  // Every event carried the cursor to resume after it, each one further on.
  const ids = after.events.filter((e) => e.id).map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).not.toContain(seen);
}

/**
 * The agent's panel (`agent`, whose portal speaks to `first`) drops while a call it was ringing
 * for is taken by a teammate and another one rings; it comes back on `resumeOn` and gets those,
 * once, and not the ringing calls again.
 */
async function panelResumes(first: Side, agent: Owner, otherSide: Side, resumeOn: Side) {
  const { owner, button } = agent;
  const ringing = await startCall(first, button);
  const before = await panelStream(first.url, owner);
  await before.waitFor(1);
  expect(before.data()).toMatchObject([{ type: "ring", call: { sessionId: ringing.sessionId } }]);
  const seen = before.lastId();
  before.drop();

  // A teammate (the same login, on the other instance) answers; a second call rings.
  const teammate = otherSide.client({ ip: uniqueIp() });
  for (const [name, value] of owner.jar) teammate.jar.set(name, value);
  await teammate.trpc.phone.answer.mutate({ sessionId: ringing.sessionId });
  const second = await startCall(otherSide, button);

  const after = await panelStream(resumeOn.url, owner, seen);
  await after.waitFor(2);
  await new Promise((resolve) => setTimeout(resolve, 300));
  after.drop();
  expect(after.data()).toMatchObject([
    { type: "taken", sessionId: ringing.sessionId },
    { type: "ring", call: { sessionId: second.sessionId } },
  ]);
  expect(after.data()).toHaveLength(2);

  // A browser's own reconnect sends the id as the Last-Event-ID header: the same resume, nothing new.
  const again = await readSse(subscriptionUrl(resumeOn.url, "phone.events"), {
    fetch: owner.fetch,
    headers: { "last-event-id": after.lastId() ?? "" },
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  again.drop();
  expect(again.data()).toEqual([]);
  expect(again.events.map((e) => e.event)).toEqual(["connected"]);
}

describe("a stream resumes after a drop, in-process (one instance)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ redis: false });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("the visitor gets what was published while it was away exactly once, with lastEventId", async () => {
    expect(h.ports.pubsub.mode).toBe("memory");
    await visitorResumes(h, await availableOwner(h), h);
  });

  it("the agent's panel gets the rings and notices it missed exactly once, by input or header", async () => {
    await panelResumes(h, await availableOwner(h), h, h);
  });

  it("a first connection gets the call's state; an id this server never gave is refused", async () => {
    const { owner, button } = await availableOwner(h);
    const call = await startCall(h, button);
    await owner.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    const first = await visitorStream(h.url, call);
    await first.waitFor(1);
    first.drop();
    expect(first.data()).toEqual([{ type: "answered" }]);
    const forged = await visitorStream(h.url, call, "not-an-id");
    await forged.ended;
    const refusal = forged.events.find((e) => e.event === "serialized-error");
    expect(refusal?.data).toMatchObject({ json: { data: { code: "BAD_REQUEST" } } });
  });
});

const skip = clusterSkipReason();
if (skip) console.warn(`sse-resume.test.ts: the two-process suite is skipped: ${skip}`);

describe.skipIf(skip !== null)(
  "a stream resumes after a drop, across two server processes through Redis",
  () => {
    let cluster: Cluster;
    beforeAll(async () => {
      cluster = await startCluster({ instances: 2 });
    }, 240_000);
    afterAll(() => cluster?.close(), 60_000);

    const sides = () => {
      const [a, b] = cluster.instances;
      if (!a || !b) throw new Error("two instances expected");
      return { a, b, onA: instanceSide(cluster, a), onB: instanceSide(cluster, b) };
    };
    /** What the server stored as the call's duration (measured between its own answer and hang-up). */
    const stored = async (sessionId: string) => {
      const [row] = await cluster.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
      return row?.durationSeconds ?? -1;
    };

    it("subscribed on A, dropped, events published through B: reconnected to B, each arrives once", async () => {
      const { b, onA, onB } = sides();
      expect(await pubsubMode(cluster, b)).toBe("Redis");
      await visitorResumes(onA, await availableOwnerOn(cluster, b), onB, stored);
    });

    it("the agent's panel on A drops; rings and notices from B arrive once when it reconnects to B", async () => {
      const { a, onA, onB } = sides();
      await panelResumes(onA, await availableOwnerOn(cluster, a), onB, onB);
    });
  },
);
