import { availableAgents, reachRingDeadline, sweepStaleCalls } from "@cac/core";
import { callRingSteps, callSessions } from "@cac/db";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, withSubscriptions } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  type Harness,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

type AnyEvent = { type: string; sessionId?: string; call?: { sessionId: string }; [key: string]: unknown };
const SHOP = "https://shop.test";

/** A member's phone panel: available, its live feed open, and heard from by presence. */
async function openPanel(h: Harness, client: TestClient, accountId: string, userId: string) {
  const events = collect<AnyEvent>();
  await client.trpc.phone.setAvailable.mutate({ available: true });
  const sub = withSubscriptions(h.url, client).phone.events.subscribe(undefined, {
    onData: (e) => events.push(e.data as AnyEvent),
  });
  for (let i = 0; i < 100; i++) {
    if ((await availableAgents(h.ports, accountId)).some((a) => a.id === userId)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { events, stop: () => sub.unsubscribe() };
}

const ringsOf = (events: AnyEvent[], sessionId: string) =>
  events.filter((e) => e.type === "ring" && e.call?.sessionId === sessionId);

async function stepsOf(h: Harness, callId: string) {
  return h.db.db
    .select({ step: callRingSteps.step, userId: callRingSteps.userId, outcome: callRingSteps.outcome })
    .from(callRingSteps)
    .where(eq(callRingSteps.callId, callId))
    .orderBy(asc(callRingSteps.step), asc(callRingSteps.outcome));
}

describe("call routing", () => {
  let h: Harness;
  let owner: TestClient;
  let agent: TestClient;
  let accountId: string;
  let ownerId: string;
  let agentId: string;
  let button: { id: string; publicId: string };
  let ownerPanel: Awaited<ReturnType<typeof openPanel>>;
  let agentPanel: Awaited<ReturnType<typeof openPanel>>;

  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
    owner = (await signupVerified(h)).client;
    const me = await owner.trpc.account.me.query();
    accountId = me!.account.id;
    ownerId = me!.user.id;
    agent = (await loginAgent(h, accountId)).client;
    agentId = (await agent.trpc.account.me.query())!.user.id;
    button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    ownerPanel = await openPanel(h, owner, accountId, ownerId);
    agentPanel = await openPanel(h, agent, accountId, agentId);
  });
  afterAll(async () => {
    ownerPanel?.stop();
    agentPanel?.stop();
    await h?.close();
  });

  const visitor = () => h.client({ origin: SHOP, ip: uniqueIp() });

  it("rings all at once: the first answer wins and the other panel learns who answered", async () => {
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "all",
      strategy: "ring-all",
      stepSeconds: 20,
      members: [],
    });
    const call = await visitor().trpc.calls.start.mutate({ button: button.publicId });
    await ownerPanel.events.next((e) => e.type === "ring" && e.call?.sessionId === call.sessionId);
    await agentPanel.events.next((e) => e.type === "ring" && e.call?.sessionId === call.sessionId);

    await agent.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    const taken = await ownerPanel.events.next((e) => e.type === "taken" && e.sessionId === call.sessionId);
    expect(taken).toMatchObject({ byUserId: agentId, byName: "Agent" });
    const late = await expectTrpcError(owner.trpc.phone.answer.mutate({ sessionId: call.sessionId }));
    expect(late.data?.httpStatus).toBe(409);

    const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
    expect(row).toMatchObject({ status: "in-progress", answeredBy: agentId });
    expect(await stepsOf(h, call.sessionId)).toEqual([
      { step: 0, userId: agentId, outcome: "answered" },
      { step: 0, userId: ownerId, outcome: "taken" },
    ]);
    const log = await owner.trpc.callLog.list.query({});
    expect(log.items.find((item) => item.id === call.sessionId)?.answeredBy).toBe("Agent");
    await agent.trpc.phone.hangUp.mutate({ sessionId: call.sessionId });
  });

  it("rings all at once: one member declining stops only their ring; the last one ends the call", async () => {
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "all",
      strategy: "ring-all",
      stepSeconds: 20,
      members: [],
    });
    const call = await visitor().trpc.calls.start.mutate({ button: button.publicId });
    await agentPanel.events.next((e) => e.type === "ring" && e.call?.sessionId === call.sessionId);
    expect(await owner.trpc.phone.decline.mutate({ sessionId: call.sessionId })).toEqual({
      ok: true,
      ended: false,
    });
    await ownerPanel.events.next((e) => e.type === "rang-out" && e.sessionId === call.sessionId);
    const [ringing] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
    expect(ringing?.status).toBe("ringing");
    expect(
      agentPanel.events.events.some((e) => e.type === "rang-out" && e.sessionId === call.sessionId),
    ).toBe(false);

    expect(await agent.trpc.phone.decline.mutate({ sessionId: call.sessionId })).toEqual({
      ok: true,
      ended: true,
    });
    const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
    expect(row?.status).toBe("busy");
    const steps = await stepsOf(h, call.sessionId);
    expect(steps).toHaveLength(2);
    expect(steps).toEqual(
      expect.arrayContaining([
        { step: 0, userId: agentId, outcome: "declined" },
        { step: 0, userId: ownerId, outcome: "declined" },
      ]),
    );
  });

  it("rings in order: a step nobody answers advances once, however many instances reach its deadline", async () => {
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 20,
      members: [
        { userId: ownerId, ringSeconds: 5 },
        { userId: agentId, ringSeconds: 10 },
      ],
    });
    const call = await visitor().trpc.calls.start.mutate({ button: button.publicId });
    if (call.transport !== "webrtc") throw new Error("a browser call expected");
    // The visitor waits through every step.
    expect(call.ringTimeoutSeconds).toBe(15);
    await ownerPanel.events.next((e) => e.type === "ring" && e.call?.sessionId === call.sessionId);
    expect(await stepsOf(h, call.sessionId)).toEqual([{ step: 0, userId: ownerId, outcome: "ringing" }]);
    // The second member is not rung yet, so cannot take it, nor decline it for the first.
    const early = await expectTrpcError(agent.trpc.phone.answer.mutate({ sessionId: call.sessionId }));
    expect(early.data?.httpStatus).toBe(409);
    expect(await agent.trpc.phone.decline.mutate({ sessionId: call.sessionId })).toEqual({
      ok: true,
      ended: false,
    });
    expect(await stepsOf(h, call.sessionId)).toEqual([{ step: 0, userId: ownerId, outcome: "ringing" }]);

    // The first step runs out; every instance's timer and sweeper may see it at once.
    h.clock.advance(5_000);
    const reached = await Promise.all([
      reachRingDeadline(h.ports, call.sessionId),
      reachRingDeadline(h.ports, call.sessionId),
      reachRingDeadline(h.ports, call.sessionId),
      sweepStaleCalls(h.ports, 30).then(() => null),
    ]);
    const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
    expect(row).toMatchObject({ status: "ringing", ringStep: 1 });
    expect(reached.filter((r) => r?.kind === "advanced").length).toBeLessThanOrEqual(1);
    await ownerPanel.events.next((e) => e.type === "rang-out" && e.sessionId === call.sessionId);
    await agentPanel.events.next((e) => e.type === "ring" && e.call?.sessionId === call.sessionId);
    // Stopped ringing for the first member: their answer is refused.
    const gone = await expectTrpcError(owner.trpc.phone.answer.mutate({ sessionId: call.sessionId }));
    expect(gone.data?.httpStatus).toBe(409);

    await agent.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    expect(
      await ownerPanel.events.next((e) => e.type === "taken" && e.sessionId === call.sessionId),
    ).toMatchObject({ byName: "Agent" });
    expect(ringsOf(agentPanel.events.events, call.sessionId)).toHaveLength(1);
    expect(ringsOf(ownerPanel.events.events, call.sessionId)).toHaveLength(1);
    expect(await stepsOf(h, call.sessionId)).toEqual([
      { step: 0, userId: ownerId, outcome: "no-answer" },
      { step: 1, userId: agentId, outcome: "answered" },
    ]);
    await agent.trpc.phone.hangUp.mutate({ sessionId: call.sessionId });
  });

  it("falls back when nobody routed is reachable, skips members who are not, and ends when nobody is left", async () => {
    await agent.trpc.phone.setAvailable.mutate({ available: false });
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 20,
      members: [{ userId: agentId, ringSeconds: null }],
    });
    const earlier = new Set(
      (await h.db.db.select({ id: callSessions.id }).from(callSessions)).map((r) => r.id),
    );
    // No phone fallback here (Twilio is off): the visitor is led to the callback form, and the
    // attempt is kept as one `unavailable` call that rang nobody.
    const refused = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: button.publicId }));
    expect(refused.data?.appCode).toBe("NO_AGENT_AVAILABLE");
    const after = await h.db.db
      .select({ id: callSessions.id, status: callSessions.status })
      .from(callSessions);
    const added = after.filter((row) => !earlier.has(row.id));
    expect(added.map((row) => row.status)).toEqual(["unavailable"]);
    const attempt = added[0];
    expect(await h.db.db.select().from(callRingSteps).where(eq(callRingSteps.callId, attempt!.id))).toEqual(
      [],
    );

    // The unreachable first member is skipped: the owner rings first.
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 20,
      members: [
        { userId: agentId, ringSeconds: null },
        { userId: ownerId, ringSeconds: 5 },
      ],
    });
    const skipped = await visitor().trpc.calls.start.mutate({ button: button.publicId });
    expect(await stepsOf(h, skipped.sessionId)).toEqual([{ step: 0, userId: ownerId, outcome: "ringing" }]);
    await owner.trpc.phone.decline.mutate({ sessionId: skipped.sessionId });

    // The next member goes away while the first rings: at the step's end the call ends unanswered.
    await agent.trpc.phone.setAvailable.mutate({ available: true });
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 20,
      members: [
        { userId: ownerId, ringSeconds: 5 },
        { userId: agentId, ringSeconds: 5 },
      ],
    });
    const call = await visitor().trpc.calls.start.mutate({ button: button.publicId });
    await agent.trpc.phone.setAvailable.mutate({ available: false });
    h.clock.advance(5_000);
    expect(await reachRingDeadline(h.ports, call.sessionId)).toMatchObject({
      kind: "ended",
      end: { status: "no-answer" },
    });
    expect(await stepsOf(h, call.sessionId)).toEqual([{ step: 0, userId: ownerId, outcome: "no-answer" }]);
    expect(ringsOf(agentPanel.events.events, call.sessionId)).toHaveLength(0);
    await agent.trpc.phone.setAvailable.mutate({ available: true });
  });

  it("keeps a routing to the account's own members, each once", async () => {
    const other = (await signupVerified(h)).client;
    const stranger = (await other.trpc.account.me.query())!.user.id;
    const foreign = await expectTrpcError(
      owner.trpc.buttons.setRouting.mutate({
        id: button.id,
        who: "chosen",
        strategy: "ring-all",
        stepSeconds: 20,
        members: [{ userId: stranger, ringSeconds: null }],
      }),
    );
    expect(foreign.data?.httpStatus).toBe(400);
    const empty = await expectTrpcError(
      owner.trpc.buttons.setRouting.mutate({
        id: button.id,
        who: "chosen",
        strategy: "ring-all",
        stepSeconds: 20,
        members: [],
      }),
    );
    expect(empty.data?.httpStatus).toBe(400);
    const twice = await expectTrpcError(
      owner.trpc.buttons.setRouting.mutate({
        id: button.id,
        who: "chosen",
        strategy: "in-order",
        stepSeconds: 20,
        members: [
          { userId: agentId, ringSeconds: null },
          { userId: agentId, ringSeconds: 9 },
        ],
      }),
    );
    expect(twice.data?.httpStatus).toBe(400);
    const routing = await owner.trpc.buttons.routing.query({ id: button.id });
    expect(routing.candidates.map((c) => c.userId).sort()).toEqual([ownerId, agentId].sort());
    expect(routing.candidates.map((c) => c.userId)).not.toContain(stranger);
    // An agent cannot change routing.
    const byAgent = await expectTrpcError(agent.trpc.buttons.routing.query({ id: button.id }));
    expect(byAgent.data?.httpStatus).toBe(403);
  });
});
