/**
 * Every state change of a call is one compare-and-set on its row, so it happens once whichever
 * instances race for it, and its side effects (events, the missed-call email, billed minutes)
 * follow only the change that won. Two apps of one deployment share the database (a pool each
 * on Postgres, as two processes would have) and Redis; their clocks are moved together.
 */
import {
  type AgentEvent,
  channels,
  type DeadlineKind,
  endAtDeadline,
  getUsage,
  sweepStaleCalls,
  touchAgent,
  touchCall,
  type VisitorEvent,
} from "@cac/core";
import { callSessions, createDb, type DbHandle } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { callSid, postTwilio, setPlan, twilioEnv } from "./fixtures/twilio";
import {
  errorOf,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";
import { redisForSuite } from "./redis-server";

const SHOP = "https://shop.test";
const RING_TIMEOUT_SECONDS = 30;

type Deployment = {
  a: Harness;
  b: Harness;
  /** Moves both instances' clocks. */
  advance(ms: number): void;
  close(): Promise<void>;
};

/**
 * Two instances on one database and one Redis. Their jobs are off (the tests run the sweeper by
 * hand), and only A runs the email worker, so a test drains every queued email through A.
 */
async function startDeployment(env: Record<string, string> = {}): Promise<Deployment> {
  const redis = await redisForSuite();
  const shared = await createTestDb();
  const second: DbHandle = shared.url ? await createDb({ url: shared.url, maxConnections: 5 }) : shared;
  const common = {
    env: { REDIS_URL: redis.url, RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS), ...env },
    limits: { "call.button": { points: 10_000, durationSeconds: 60 } },
  };
  const pubsubKeyPrefix = unique("cac-cas");
  const a = await startHarness({ ...common, db: shared, build: { jobs: false, pubsubKeyPrefix } });
  const b = await startHarness({
    ...common,
    db: second,
    build: { jobs: false, emailWorker: false, pubsubKeyPrefix },
  });
  return {
    a,
    b,
    advance(ms) {
      a.clock.advance(ms);
      b.clock.advance(ms);
    },
    async close() {
      await b.close();
      await a.close();
      await redis.stop();
    },
  };
}

/** Everything published about a call (and its account) through the shared Redis. */
async function watch(h: Harness, accountId: string, sessionId: string) {
  const visitor: VisitorEvent[] = [];
  const agents: AgentEvent[] = [];
  const stops = await Promise.all([
    h.ports.pubsub.subscribe(channels.visitor(sessionId), (e) => visitor.push(e.message as VisitorEvent)),
    h.ports.pubsub.subscribe(channels.accountPhone(accountId), (e) => {
      const event = e.message as AgentEvent;
      if ("sessionId" in event && event.sessionId === sessionId) agents.push(event);
    }),
  ]);
  return {
    /** Counts by type, once deliveries in flight have arrived. */
    async settled() {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const count = (events: Array<{ type: string }>) => {
        const counts: Record<string, number> = {};
        for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
        return counts;
      };
      return { visitor: count(visitor), agents: count(agents) };
    },
    stop: () => Promise.all(stops.map((stop) => stop())),
  };
}

async function callRow(h: Harness, sessionId: string) {
  const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
  return row!;
}

/** Both instances' timers for the deadline and both sweepers, at once: how many of them ended the call. */
async function everyoneActs(d: Deployment, sessionId: string, kind: DeadlineKind) {
  const [timerA, timerB, sweptA, sweptB] = await Promise.all([
    endAtDeadline(d.a.ports, sessionId, kind),
    endAtDeadline(d.b.ports, sessionId, kind),
    sweepStaleCalls(d.a.ports, RING_TIMEOUT_SECONDS),
    sweepStaleCalls(d.b.ports, RING_TIMEOUT_SECONDS),
  ]);
  return [timerA, timerB].filter(Boolean).length + sweptA + sweptB;
}

async function missedCallEmails(d: Deployment, to: string) {
  return (await d.a.outbox(to)).filter((m) => m.subject.startsWith("Missed call")).length;
}

/** An account whose owner is logged in on A and an agent on B, both available in the portal. */
async function business(d: Deployment) {
  const { client: owner, email } = await signupVerified(d.a);
  const me = (await owner.trpc.account.me.query())!;
  const agent = await loginAgent(d.b, me.account.id);
  const agentMe = (await agent.client.trpc.account.me.query())!;
  const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
  await owner.trpc.phone.setAvailable.mutate({ available: true });
  await agent.client.trpc.phone.setAvailable.mutate({ available: true });
  return {
    owner,
    ownerId: me.user.id,
    email,
    agent: agent.client,
    agentId: agentMe.user.id,
    accountId: me.account.id,
    button,
  };
}

type Business = Awaited<ReturnType<typeof business>>;

/** A visitor's browser call, started through instance `h`. */
async function startCall(h: Harness, shop: Business) {
  // The agents' phone panels are open (their heartbeat), however far earlier tests moved the clock.
  await Promise.all([touchAgent(h.ports, shop.ownerId), touchAgent(h.ports, shop.agentId)]);
  const visitor: TestClient = h.client({ origin: SHOP, ip: uniqueIp() });
  const started = await visitor.trpc.calls.start.mutate({ button: shop.button.publicId });
  if (started.transport !== "webrtc") throw new Error("expected a browser call");
  const capability = { button: shop.button.publicId, sessionId: started.sessionId, token: started.token };
  return { visitor, sessionId: started.sessionId, capability };
}

describe("call state changes racing on two instances", () => {
  let d: Deployment;
  let shop: Business;
  beforeAll(async () => {
    d = await startDeployment();
    shop = await business(d);
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => d?.close(), HARNESS_TIMEOUT_MS);

  it("two agents answer at once on two instances: one wins, the other is told it was answered; one in-progress row, one event", async () => {
    for (let round = 0; round < 5; round++) {
      const call = await startCall(d.a, shop);
      const seen = await watch(d.a, shop.accountId, call.sessionId);
      const answers = await Promise.allSettled([
        shop.owner.trpc.phone.answer.mutate({ sessionId: call.sessionId }),
        shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId }),
      ]);
      const won = answers.filter((r) => r.status === "fulfilled");
      const lost = answers.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const refusal = errorOf(lost[0]);
      expect(refusal.data?.code).toBe("CONFLICT");
      expect(refusal.message).toBe("Someone else answered this call.");

      const winner = answers[0]!.status === "fulfilled" ? shop.ownerId : shop.agentId;
      const row = await callRow(d.a, call.sessionId);
      expect(row).toMatchObject({ status: "in-progress", answeredBy: winner, endedAt: null });
      const open = await d.a.db.db
        .select({ id: callSessions.id })
        .from(callSessions)
        .where(eq(callSessions.status, "in-progress"));
      expect(open).toHaveLength(1);
      expect(await seen.settled()).toEqual({ visitor: { answered: 1 }, agents: { taken: 1 } });

      await call.visitor.trpc.calls.hangUp.mutate(call.capability);
      await seen.stop();
    }
  });

  it("the ring deadline reached on two instances at once (timers and sweepers): one no-answer, one end event, one missed-call email", async () => {
    const call = await startCall(d.a, shop);
    const seen = await watch(d.a, shop.accountId, call.sessionId);
    const before = await missedCallEmails(d, shop.email);
    // A moment before the deadline, nobody acts: a timer that fires early ends nothing.
    d.advance(RING_TIMEOUT_SECONDS * 1000 - 1);
    expect(await everyoneActs(d, call.sessionId, "ring")).toBe(0);
    expect(await callRow(d.a, call.sessionId)).toMatchObject({ status: "ringing" });

    d.advance(1);
    expect(await everyoneActs(d, call.sessionId, "ring")).toBe(1);
    const row = await callRow(d.a, call.sessionId);
    expect(row).toMatchObject({ status: "no-answer", failureReason: "No one answered in time." });
    expect(row.endedAt).toEqual(row.ringDeadlineAt);
    expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
    expect((await missedCallEmails(d, shop.email)) - before).toBe(1);
    // Nothing is left for anyone, later.
    d.advance(60_000);
    expect(await everyoneActs(d, call.sessionId, "ring")).toBe(0);
    expect((await missedCallEmails(d, shop.email)) - before).toBe(1);
    await seen.stop();
  });

  it("a hang-up racing the ring deadline: one end, one end event, and the missed-call email only when the deadline won", async () => {
    for (let round = 0; round < 4; round++) {
      const call = await startCall(d.b, shop);
      const seen = await watch(d.a, shop.accountId, call.sessionId);
      const before = await missedCallEmails(d, shop.email);
      d.advance(RING_TIMEOUT_SECONDS * 1000);
      const [hungUp, timer, swept] = await Promise.all([
        call.visitor.trpc.calls.hangUp.mutate(call.capability),
        endAtDeadline(d.a.ports, call.sessionId, "ring"),
        sweepStaleCalls(d.b.ports, RING_TIMEOUT_SECONDS),
      ]);
      expect(Number(hungUp.ended) + Number(timer !== null) + swept).toBe(1);
      const row = await callRow(d.a, call.sessionId);
      expect(row.status).toBe(hungUp.ended ? "canceled" : "no-answer");
      expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
      expect((await missedCallEmails(d, shop.email)) - before).toBe(row.status === "no-answer" ? 1 : 0);
      await seen.stop();
    }
  });

  it("a decline racing an answer never ends the answered call", async () => {
    for (let round = 0; round < 5; round++) {
      const call = await startCall(d.a, shop);
      const seen = await watch(d.a, shop.accountId, call.sessionId);
      const [answer, decline] = await Promise.allSettled([
        shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId }),
        shop.owner.trpc.phone.decline.mutate({ sessionId: call.sessionId }),
      ]);
      const row = await callRow(d.a, call.sessionId);
      if (answer.status === "fulfilled") {
        expect(decline).toMatchObject({ status: "fulfilled", value: { ended: false } });
        expect(row.status).toBe("in-progress");
        expect(await seen.settled()).toEqual({ visitor: { answered: 1 }, agents: { taken: 1 } });
        await call.visitor.trpc.calls.hangUp.mutate(call.capability);
      } else {
        expect(decline).toMatchObject({ status: "fulfilled", value: { ended: true } });
        expect(row.status).toBe("busy");
        expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
      }
      await seen.stop();
    }
  });

  it("started on A, answered through B: A's ring timer acting at the deadline leaves the call connected", async () => {
    const call = await startCall(d.a, shop);
    const seen = await watch(d.a, shop.accountId, call.sessionId);
    const before = await missedCallEmails(d, shop.email);
    d.advance(5_000);
    await shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    d.advance(RING_TIMEOUT_SECONDS * 1000);
    // What A's timer runs when it fires, and what both sweepers do.
    expect(await endAtDeadline(d.a.ports, call.sessionId, "ring")).toBeNull();
    expect(await sweepStaleCalls(d.a.ports, RING_TIMEOUT_SECONDS)).toBe(0);
    expect(await sweepStaleCalls(d.b.ports, RING_TIMEOUT_SECONDS)).toBe(0);
    expect(await callRow(d.a, call.sessionId)).toMatchObject({ status: "in-progress", endedAt: null });
    expect(await seen.settled()).toEqual({ visitor: { answered: 1 }, agents: { taken: 1 } });

    // The visitor hangs up through A: the call lasted from the answer to now.
    await call.visitor.trpc.calls.hangUp.mutate(call.capability);
    expect(await callRow(d.a, call.sessionId)).toMatchObject({
      status: "completed",
      durationSeconds: RING_TIMEOUT_SECONDS,
    });
    expect((await missedCallEmails(d, shop.email)) - before).toBe(0);
    await seen.stop();
  });

  it("an answer after the ring deadline is refused, and the call ends as no-answer once", async () => {
    const call = await startCall(d.b, shop);
    const seen = await watch(d.a, shop.accountId, call.sessionId);
    d.advance(RING_TIMEOUT_SECONDS * 1000);
    const late = await expectTrpcError(shop.owner.trpc.phone.answer.mutate({ sessionId: call.sessionId }));
    expect(late.data?.code).toBe("CONFLICT");
    expect(late.message).toBe("This call has already ended.");
    expect(await callRow(d.a, call.sessionId)).toMatchObject({ status: "no-answer", answeredBy: null });
    expect(await sweepStaleCalls(d.b.ports, RING_TIMEOUT_SECONDS)).toBe(0);
    expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
    await seen.stop();
  });

  it("the time limit stored with the answer, reached on two instances at once (the answering one's timer, the other's sweeper): ended once, at the limit, billed to it", async () => {
    const usedBefore = (await getUsage(d.a.ports, shop.accountId)).minutesUsed;
    const call = await startCall(d.a, shop);
    const seen = await watch(d.a, shop.accountId, call.sessionId);
    const answered = await shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    // The Free plan's 10 minutes, stored with the answer.
    expect(answered.maxCallSeconds).toBe(600);
    const row = await callRow(d.a, call.sessionId);
    expect(row.limitEndsAt!.getTime() - row.answeredAt!.getTime()).toBe(600_000);

    // A moment before the limit, with both parties still connected (their heartbeats), nobody acts.
    d.advance(599_000);
    await touchCall(d.a.ports, call.sessionId);
    await touchAgent(d.b.ports, shop.agentId);
    expect(await everyoneActs(d, call.sessionId, "limit")).toBe(0);
    expect(await callRow(d.a, call.sessionId)).toMatchObject({ status: "in-progress" });

    // Seconds after the limit, both instances act on it at once.
    d.advance(3_000);
    expect(await everyoneActs(d, call.sessionId, "limit")).toBe(1);
    const ended = await callRow(d.a, call.sessionId);
    expect(ended).toMatchObject({
      status: "completed",
      failureReason: "The call reached its time limit.",
      durationSeconds: 600,
    });
    expect(ended.endedAt).toEqual(ended.limitEndsAt);
    expect(await seen.settled()).toEqual({
      visitor: { answered: 1, ended: 1 },
      agents: { taken: 1, ended: 1 },
    });
    // Ten minutes billed, once.
    expect((await getUsage(d.a.ports, shop.accountId)).minutesUsed - usedBefore).toBe(10);
    expect(await everyoneActs(d, call.sessionId, "limit")).toBe(0);
    await seen.stop();
  });
});

describe("Twilio status callbacks delivered twice, to two instances at once", () => {
  let d: Deployment;
  const env = twilioEnv();
  beforeAll(async () => {
    d = await startDeployment(env);
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => d?.close(), HARNESS_TIMEOUT_MS);

  it("the voice webhook dials once; answered and completed are each applied once, with one event each", async () => {
    const { client: owner, email } = await signupVerified(d.a);
    const me = await setPlan(d.a, owner, "starter");
    const button = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: false }),
    );
    const started = await d.b
      .client({ origin: SHOP, ip: uniqueIp() })
      .trpc.calls.start.mutate({ button: button.publicId });
    expect(started.transport).toBe("twilio");
    const seen = await watch(d.a, me.account.id, started.sessionId);
    const parent = callSid();
    const child = callSid();
    const both = (
      path: "/webhooks/twilio/voice" | "/webhooks/twilio/status",
      params: Record<string, string>,
    ) => Promise.all([postTwilio(d.a, env, path, params), postTwilio(d.b, env, path, params)]);

    const voice = await both("/webhooks/twilio/voice", {
      AccountSid: env.TWILIO_ACCOUNT_SID,
      CallSid: parent,
      CallStatus: "ringing",
      From: `client:${started.sessionId}`,
      To: "",
      session: started.sessionId,
    });
    expect(voice.filter((r) => r.text.includes("<Dial")).length).toBe(1);
    const dialed = await callRow(d.a, started.sessionId);
    expect(dialed).toMatchObject({ status: "ringing", providerCallId: parent });
    // The latest it may run: the ring, then the Starter plan's 30 minutes.
    expect(dialed.limitEndsAt!.getTime() - dialed.ringDeadlineAt!.getTime()).toBe(30 * 60_000);

    const leg = {
      AccountSid: env.TWILIO_ACCOUNT_SID,
      CallSid: child,
      ParentCallSid: parent,
      To: "+12025550188",
    };
    await both("/webhooks/twilio/status", { ...leg, CallStatus: "in-progress" });
    const answered = await callRow(d.a, started.sessionId);
    expect(answered.status).toBe("in-progress");
    // From the answer on, the Dial's timeLimit.
    expect(answered.limitEndsAt!.getTime() - answered.answeredAt!.getTime()).toBe(30 * 60_000);

    d.advance(95_000);
    await both("/webhooks/twilio/status", {
      AccountSid: env.TWILIO_ACCOUNT_SID,
      CallSid: parent,
      CallStatus: "in-progress",
      DialCallSid: child,
      DialCallStatus: "completed",
      DialCallDuration: "95",
    });
    expect(await callRow(d.a, started.sessionId)).toMatchObject({ status: "completed", durationSeconds: 95 });
    expect(await seen.settled()).toEqual({
      visitor: { ringing: 1, answered: 1, ended: 1 },
      agents: { ended: 1 },
    });
    expect((await d.a.outbox(email)).filter((m) => m.subject.startsWith("Missed call"))).toEqual([]);
    await seen.stop();
  });
});
