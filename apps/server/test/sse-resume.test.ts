import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOwner, startTwoInstances } from "./call-clients";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness, type TestClient, uniqueIp } from "./harness";
import { readSse, subscriptionUrl } from "./sse-reader";

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

async function startCall(h: Harness, button: { publicId: string }) {
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
 * While the visitor's stream is down, the agent answers and sends its answer and two ICE
 * candidates through `agentSide`; the visitor comes back on `resumeOn` with the last id it saw.
 */
async function visitorResumes(first: Harness, agentSide: Harness, resumeOn: Harness) {
  const { owner, button } = await availableOwner(agentSide);
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
    { type: "ended", status: "completed", reason: "The business hung up.", durationSeconds: 0 },
  ]);
  // Every event carried the cursor to resume after it, each one further on.
  const ids = after.events.filter((e) => e.id).map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).not.toContain(seen);
}

/**
 * The agent's panel drops while a call it was ringing for is taken by a teammate and another one
 * rings; it comes back on `resumeOn` and gets those, once, and not the ringing calls again.
 */
async function panelResumes(first: Harness, otherSide: Harness, resumeOn: Harness) {
  const { owner, button } = await availableOwner(first);
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
    await visitorResumes(h, h, h);
  });

  it("the agent's panel gets the rings and notices it missed exactly once, by input or header", async () => {
    await panelResumes(h, h, h);
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

describe("a stream resumes after a drop, across two instances through Redis", () => {
  let two: Awaited<ReturnType<typeof startTwoInstances>>;
  beforeAll(async () => {
    two = await startTwoInstances();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => two?.close(), HARNESS_TIMEOUT_MS);

  it("subscribed on A, dropped, events published through B: reconnected to B, each arrives once", async () => {
    expect(two.b.ports.pubsub.mode).toBe("redis");
    await visitorResumes(two.a, two.b, two.b);
  });

  it("the agent's panel on A drops; rings and notices from B arrive once when it reconnects to B", async () => {
    await panelResumes(two.a, two.b, two.b);
  });
});
