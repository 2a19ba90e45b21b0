import { getUsage, reconcileUsageTotals, sweepStaleCalls } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import { abuseFlags, callSessions, securityEvents } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, withSubscriptions } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

type AnyEvent = { type: string; [key: string]: unknown };
const SHOP = "https://shop.test";

async function countCalls(h: Harness) {
  return (await h.db.db.select({ id: callSessions.id }).from(callSessions)).length;
}

async function openButton(owner: TestClient, overrides = {}) {
  return owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen, ...overrides }));
}

/** The owner opens the phone panel and sets themselves available. */
async function openPhonePanel(h: Harness, owner: TestClient) {
  const agent = withSubscriptions(h.url, owner);
  const events = collect<AnyEvent>();
  await owner.trpc.phone.setAvailable.mutate({ available: true });
  const sub = agent.phone.events.subscribe(undefined, { onData: (e) => events.push(e.data as AnyEvent) });
  // The panel's stream makes the agent reachable once it is open.
  for (let i = 0; i < 100; i++) {
    if ((await owner.trpc.phone.availability.query()).reachable) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { agent, events, stop: () => sub.unsubscribe() };
}

describe("calls.start refuses each guard case with its own code and creates nothing", () => {
  let h: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    h = await startHarness({ limits: { "call.ip": { points: 2, durationSeconds: 60 } } });
    owner = (await signupVerified(h)).client;
  });
  afterAll(() => h.close());

  const visitor = () => h.client({ origin: SHOP, ip: uniqueIp() });

  it("closed: outside business hours", async () => {
    // The harness clock is a Sunday; the default hours are weekdays only.
    const b = await owner.trpc.buttons.create.mutate(validButton({ enabled: false }));
    await owner.trpc.buttons.setEnabled.mutate({ id: b.id, enabled: true });
    const before = await countCalls(h);
    const e = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: b.publicId }));
    expect(e.data?.appCode).toBe("BUTTON_CLOSED");
    expect(e.data?.httpStatus).toBe(412);
    expect(await countCalls(h)).toBe(before);
    await owner.trpc.buttons.delete.mutate({ id: b.id });
  });

  it("disabled, disallowed origin, blocked IP, rate limited, over quota, nobody available", async () => {
    const b = await openButton(owner);
    const before = await countCalls(h);

    await owner.trpc.buttons.setEnabled.mutate({ id: b.id, enabled: false });
    const disabled = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: b.publicId }));
    expect(disabled.data?.httpStatus).toBe(404);
    await owner.trpc.buttons.setEnabled.mutate({ id: b.id, enabled: true });

    const foreign = await expectTrpcError(
      h.client({ origin: "https://evil.test" }).trpc.calls.start.mutate({ button: b.publicId }),
    );
    expect(foreign.data?.appCode).toBe("ORIGIN_NOT_ALLOWED");

    const blockedIp = uniqueIp();
    // Flags are kept by ipKey (an IPv6 address's /64), as the product writes them.
    await h.db.db.insert(abuseFlags).values({ ip: ipKey(blockedIp), reason: "test", source: "operator" });
    const blocked = await expectTrpcError(
      h.client({ origin: SHOP, ip: blockedIp }).trpc.calls.start.mutate({ button: b.publicId }),
    );
    expect(blocked.data?.appCode).toBe("IP_BLOCKED");
    const events = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, blockedIp));
    expect(events.map((e) => e.kind)).toEqual(["call_refused_blocked_ip"]);

    // The refusals so far created nothing.
    expect(await countCalls(h)).toBe(before);

    // Nobody has the phone panel open: refused, and the attempt is kept as `unavailable` (it
    // rang nobody, reserved nothing).
    const nobody = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: b.publicId }));
    expect(nobody.data?.appCode).toBe("NO_AGENT_AVAILABLE");
    expect(await countCalls(h)).toBe(before + 1);

    const limited = h.client({ origin: SHOP, ip: uniqueIp() });
    for (let i = 0; i < 2; i++)
      await expectTrpcError(limited.trpc.calls.start.mutate({ button: b.publicId }));
    const tooMany = await expectTrpcError(limited.trpc.calls.start.mutate({ button: b.publicId }));
    expect(tooMany.data?.appCode).toBe("RATE_LIMITED");
    expect(tooMany.data?.httpStatus).toBe(429);

    // The two attempts let through found nobody too; the refused third created nothing.
    const kept = await h.db.db.select().from(callSessions).where(eq(callSessions.buttonId, b.id));
    expect(kept.map((call) => [call.status, call.reservedMinutes])).toEqual([
      ["unavailable", null],
      ["unavailable", null],
      ["unavailable", null],
    ]);
    const afterRefusals = before + 3;
    expect(await countCalls(h)).toBe(afterRefusals);

    // Over quota: the Free plan's 60 minutes are used up this month.
    const me = await owner.trpc.account.me.query();
    await h.db.db.insert(callSessions).values({
      accountId: me!.account.id,
      buttonId: b.id,
      transport: "webrtc",
      status: "completed",
      startedAt: h.clock.now(),
      durationSeconds: 60 * 60,
    });
    // A call written straight into the log reaches the usage total through the nightly check.
    await reconcileUsageTotals(h.ports);
    const quota = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: b.publicId }));
    expect(quota.data?.appCode).toBe("OVER_QUOTA");
    expect(quota.data?.httpStatus).toBe(402);
    expect(await countCalls(h)).toBe(afterRefusals + 1);
  });
});

describe("a browser call, signaled through the server", () => {
  let h: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    h = await startHarness({ env: { RING_TIMEOUT_SECONDS: "5" } });
    owner = (await signupVerified(h)).client;
  });
  afterAll(() => h.close());

  it("rings the agent, relays offer and answer, and logs the duration measured by the server", async () => {
    const b = await openButton(owner);
    const panel = await openPhonePanel(h, owner);
    const visitorHttp = h.client({ origin: SHOP, ip: "198.51.100.7" });
    const visitor = withSubscriptions(h.url, visitorHttp);
    const started = await visitor.calls.start.mutate({
      button: b.publicId,
      pageUrl: "https://shop.test/pricing",
    });
    expect(started.transport).toBe("webrtc");
    if (started.transport !== "webrtc") return;

    const ring = await panel.events.next((e) => e.type === "ring");
    expect(ring).toMatchObject({
      call: { sessionId: started.sessionId, buttonName: "Main site", pageUrl: "https://shop.test/pricing" },
    });

    const visitorEvents = collect<AnyEvent>();
    const sub = visitor.calls.events.subscribe(
      { button: b.publicId, sessionId: started.sessionId, token: started.token },
      { onData: (e) => visitorEvents.push(e.data as AnyEvent) },
    );
    await visitorEvents.next((e) => e.type === "ringing");

    await owner.trpc.phone.answer.mutate({ sessionId: started.sessionId });
    await visitorEvents.next((e) => e.type === "answered");

    const call = { button: b.publicId, sessionId: started.sessionId, token: started.token };
    await visitor.calls.signal.mutate({ ...call, payload: { kind: "offer", sdp: "v=0 offer" } });
    const offer = await panel.events.next((e) => e.type === "signal");
    expect(offer).toMatchObject({
      sessionId: started.sessionId,
      payload: { kind: "offer", sdp: "v=0 offer" },
    });
    await owner.trpc.phone.signal.mutate({
      sessionId: started.sessionId,
      payload: { kind: "answer", sdp: "v=0 answer" },
    });
    expect(await visitorEvents.next((e) => e.type === "signal")).toMatchObject({
      payload: { kind: "answer" },
    });

    // A wrong token learns nothing about the call.
    const wrong = await expectTrpcError(
      visitor.calls.signal.mutate({ ...call, token: "x".repeat(43), payload: { kind: "offer", sdp: "x" } }),
    );
    expect(wrong.data?.httpStatus).toBe(404);

    h.clock.advance(7_000);
    await visitor.calls.hangUp.mutate(call);
    expect(await visitorEvents.next((e) => e.type === "ended")).toMatchObject({
      status: "completed",
      durationSeconds: 7,
    });
    expect(await panel.events.next((e) => e.type === "ended")).toMatchObject({
      sessionId: started.sessionId,
      status: "completed",
    });

    const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, started.sessionId));
    expect(row).toMatchObject({
      status: "completed",
      durationSeconds: 7,
      visitorIp: "198.51.100.7",
      transport: "webrtc",
    });
    // A second hang-up changes nothing.
    expect(await visitor.calls.hangUp.mutate(call)).toEqual({ ok: true, ended: false });
    sub.unsubscribe();
    panel.stop();
  });

  it("ends an unanswered call as no-answer after the ring timeout", async () => {
    const b = (await owner.trpc.buttons.list.query())[0]!;
    const panel = await openPhonePanel(h, owner);
    const visitor = withSubscriptions(h.url, h.client({ origin: SHOP, ip: uniqueIp() }));
    const started = await visitor.calls.start.mutate({ button: b.publicId });
    const events = collect<AnyEvent>();
    const sub = visitor.calls.events.subscribe(
      { button: b.publicId, sessionId: started.sessionId, token: started.token },
      { onData: (e) => events.push(e.data as AnyEvent) },
    );
    // The deadline is read on the server's clock: the timer set by calls.start finds it passed.
    h.clock.advance(5_000);
    expect(await events.next((e) => e.type === "ended", 9_000)).toMatchObject({ status: "no-answer" });
    sub.unsubscribe();
    panel.stop();
  });

  it("the sweeper closes calls whose connections went quiet", async () => {
    const b = (await owner.trpc.buttons.list.query())[0]!;
    const me = await owner.trpc.account.me.query();
    const [stale] = await h.db.db
      .insert(callSessions)
      .values({
        accountId: me!.account.id,
        buttonId: b.id,
        transport: "webrtc",
        status: "in-progress",
        startedAt: h.clock.now(),
        answeredAt: h.clock.now(),
        answeredBy: me!.user.id,
        lastActivityAt: h.clock.now(),
      })
      .returning();
    expect(await sweepStaleCalls(h.ports, 30)).toBe(0);
    const answeredAt = h.clock.now();
    h.clock.advance(60_000);
    expect(await sweepStaleCalls(h.ports, 30)).toBe(1);
    const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, stale!.id));
    // No heartbeat came after the answer, so nothing after it is billed (it was 60 s: the sweep's time).
    expect(row).toMatchObject({
      status: "completed",
      durationSeconds: 0,
      endedAt: answeredAt,
      failureReason: "The connection was lost.",
    });
    expect(await sweepStaleCalls(h.ports, 30)).toBe(0);
  });

  it("a call whose parties vanish ends at their last heartbeat, not at the sweep, and is billed so", async () => {
    // An owner of its own, so the usage counted is this call's alone.
    const { client: owner2 } = await signupVerified(h);
    const b = await openButton(owner2);
    const me = await owner2.trpc.account.me.query();
    // The portal tab that rang: closed once the call is answered (the answer is what counts here).
    const ringing = await openPhonePanel(h, owner2);
    const visitor = withSubscriptions(h.url, h.client({ origin: SHOP, ip: uniqueIp() }));
    const started = await visitor.calls.start.mutate({ button: b.publicId });
    await owner2.trpc.phone.answer.mutate({ sessionId: started.sessionId });
    ringing.stop();
    const answeredAt = h.clock.now();

    // 2 s in, both parties are heard from once more (the visitor's call stream and the agent's
    // phone panel each send a heartbeat when they open), then both vanish: the server dies, say.
    h.clock.advance(2_000);
    const visitorEvents = collect<AnyEvent>();
    const visitorSub = visitor.calls.events.subscribe(
      { button: b.publicId, sessionId: started.sessionId, token: started.token },
      { onData: (e) => visitorEvents.push(e.data as AnyEvent) },
    );
    await visitorEvents.next((e) => e.type === "answered");
    const panel = await openPhonePanel(h, owner2);
    const heardFrom = async () => {
      const [call] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, started.sessionId));
      // The agent's heartbeats are kept by the presence store, not written to the database.
      const [agent] = await h.ports.presence.lastSeen([me!.user.id]);
      return { visitor: call?.lastActivityAt?.getTime(), agent: agent?.getTime() };
    };
    for (let i = 0; i < 50; i++) {
      const seen = await heardFrom();
      if (seen.visitor === h.clock.now().getTime() && seen.agent === h.clock.now().getTime()) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await heardFrom()).toEqual({ visitor: h.clock.now().getTime(), agent: h.clock.now().getTime() });
    visitorSub.unsubscribe();
    panel.stop();

    // Nobody hangs up; the sweeper finds the call a minute later.
    h.clock.advance(60_000);
    expect(await sweepStaleCalls(h.ports, 30)).toBeGreaterThanOrEqual(1);
    const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, started.sessionId));
    expect(row).toMatchObject({
      status: "completed",
      failureReason: "The connection was lost.",
      durationSeconds: 2,
      endedAt: new Date(answeredAt.getTime() + 2_000),
    });
    // The minutes counted are this call's 2 s, rounded up to one minute (62 s would be two).
    expect((await getUsage(h.ports, me!.account.id)).minutesUsed).toBe(1);
  });
});
