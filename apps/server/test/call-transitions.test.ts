/**
 * Every state change of a call is one compare-and-set on its row, so it happens once whichever
 * instances race for it, and its side effects (events, the missed-call email, billed minutes)
 * follow only the change that won.
 *
 * The races are run on two real server processes (the built server, on PostgreSQL and Redis):
 * answers, declines, hang-ups and Twilio's callbacks sent to both at once, and deadlines acted on
 * by both processes' timers and sweepers on the real clock. A deadline reached at the very same
 * instant by two instances is something real processes cannot arrange; that compare-and-set is
 * also raced from two connection pools at one instant of a test clock (a unit test of the claim,
 * no second app), at the end of this file.
 */
import {
  type AgentEvent,
  channels,
  type DeadlineKind,
  endAtDeadline,
  getUsage,
  hashPassword,
  type PubSub,
  sweepStaleCalls,
  touchAgent,
  touchCall,
  type VisitorEvent,
} from "@cac/core";
import { accounts, callSessions, type Db } from "@cac/db";
import { createTestDb, insertMember, type TestDbHandle } from "@cac/db/testing";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisPubSub } from "../src/adapters/pubsub";
import { readyToAnswer } from "./call-clients";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { openEventStream, until } from "./cluster/event-stream";
import { clusterOwner, instanceSide, queueDelivered, sameBrowserOn } from "./cluster/owner";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { callSid, postTwilio, twilioEnv } from "./fixtures/twilio";
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
  uniqueEmail,
  uniqueIp,
} from "./harness";
import { type SecondPool, secondPool } from "./second-pool";

const SHOP = "https://shop.test";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything published about a call (and its account) on the deployment's pubsub. */
async function watch(pubsub: PubSub, accountId: string, sessionId: string) {
  const visitor: VisitorEvent[] = [];
  const agents: AgentEvent[] = [];
  const stops = await Promise.all([
    pubsub.subscribe(channels.visitor(sessionId), (e) => visitor.push(e.message as VisitorEvent)),
    pubsub.subscribe(channels.accountPhone(accountId), (e) => {
      const event = e.message as AgentEvent;
      if ("sessionId" in event && event.sessionId === sessionId) agents.push(event);
    }),
  ]);
  return {
    /** Counts by type, once deliveries in flight have arrived. */
    async settled() {
      await sleep(300);
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

async function callRow(db: Db, sessionId: string) {
  const [row] = await db.select().from(callSessions).where(eq(callSessions.id, sessionId));
  return row!;
}

/** A visitor's browser call, started through `side` (an instance, or the harness). */
async function startCall(side: Pick<Harness, "client">, button: { publicId: string }) {
  const visitor: TestClient = side.client({ origin: SHOP, ip: uniqueIp() });
  const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
  if (started.transport !== "webrtc") throw new Error("expected a browser call");
  const capability = { button: button.publicId, sessionId: started.sessionId, token: started.token };
  return { visitor, sessionId: started.sessionId, capability };
}

const skip = clusterSkipReason();
if (skip) console.warn(`call-transitions.test.ts: the two-process suites are skipped: ${skip}`);

/** The shortest ring the settings allow (5 s): the deadlines come within the test, and answers well before. */
const RING_SECONDS = 5;
/** A timer at the deadline and two passes of each process's sweeper (every 2 s), with some slack. */
const DEADLINE_ACTED_MS = 5_000;

describe.skipIf(skip !== null)("on two server processes", () => {
  let cluster: Cluster;
  let pubsub: PubSub;
  // Twilio's settings (an account that does not exist: Twilio is never reached), signed for the
  // cluster's public address; browser calls of the Free plan are not affected by them.
  const twilio = twilioEnv();
  let signing: typeof twilio;
  /** The phone panels the accounts below hold open, closed at the end. */
  const panels: Array<{ close(): void }> = [];

  beforeAll(async () => {
    const { PUBLIC_URL: _, ...settings } = twilio;
    cluster = await startCluster({
      instances: 2,
      env: { RING_TIMEOUT_SECONDS: String(RING_SECONDS), ...settings },
    });
    signing = { ...twilio, PUBLIC_URL: cluster.url };
    // The test listens on the deployment's channels through Redis, as a third process would.
    pubsub = createRedisPubSub(process.env.REDIS_URL!, pino({ level: "silent" }), cluster.redisKeyPrefix);
  }, 240_000);

  afterAll(async () => {
    for (const panel of panels) panel.close();
    await pubsub?.close();
    await cluster?.close();
  }, 60_000);

  const both = () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    return { a, b, onA: instanceSide(cluster, a), onB: instanceSide(cluster, b) };
  };

  async function missedCallEmails(to: string) {
    await queueDelivered(cluster);
    return (await cluster.emailsTo(to)).filter((m) => m.subject.startsWith("Missed call")).length;
  }

  /** Waits until the missed-call emails to `to` number `expected`, then a moment more, and counts them. */
  async function missedCallEmailsSettled(to: string, expected: number) {
    await until(async () => (await missedCallEmails(to)) >= expected, `${expected} missed-call emails`);
    await sleep(1_000);
    return missedCallEmails(to);
  }

  /**
   * An account whose owner's portal speaks to A and an agent's to B, both available, their
   * phone panels open (the heartbeat that keeps them present) until the end.
   */
  async function business() {
    const { a, b } = both();
    const created = await clusterOwner(cluster);
    const owner = sameBrowserOn(cluster, a, created.client);
    const me = (await owner.trpc.account.me.query())!;
    const agentEmail = uniqueEmail("agent");
    const password = "agent-password-123";
    await insertMember(cluster.db, {
      accountId: me.account.id,
      email: agentEmail,
      name: "Agent",
      passwordHash: await hashPassword(password),
      role: "agent",
    });
    const agent = instanceSide(cluster, b).client({ ip: uniqueIp() });
    await agent.trpc.auth.login.mutate({ email: agentEmail, password });
    const agentMe = (await agent.trpc.account.me.query())!;
    for (const [client, instance] of [
      [owner, a],
      [agent, b],
    ] as const) {
      await client.trpc.phone.setAvailable.mutate({ available: true });
      const cookie = [...client.jar].map(([name, value]) => `${name}=${value}`).join("; ");
      const panel = openEventStream(instance.url, "phone.events", undefined, {
        origin: cluster.url,
        cookie,
      });
      panels.push(panel);
      await until(() => panel.connections() > 0, "a phone panel to connect");
    }
    return {
      owner,
      ownerId: me.user.id,
      email: created.email,
      agent,
      agentId: agentMe.user.id,
      accountId: me.account.id,
      button: created.button,
    };
  }

  describe("call state changes racing on two processes", () => {
    let shop: Awaited<ReturnType<typeof business>>;

    beforeAll(async () => {
      shop = await business();
    }, 120_000);

    it("two agents answer at once on two processes: one wins, the other is told it was answered; one in-progress row, one event", async () => {
      const { onA } = both();
      for (let round = 0; round < 5; round++) {
        const call = await startCall(onA, shop.button);
        const seen = await watch(pubsub, shop.accountId, call.sessionId);
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
        const row = await callRow(cluster.db, call.sessionId);
        expect(row).toMatchObject({ status: "in-progress", answeredBy: winner, endedAt: null });
        const open = await cluster.db
          .select({ id: callSessions.id })
          .from(callSessions)
          .where(and(eq(callSessions.accountId, shop.accountId), eq(callSessions.status, "in-progress")));
        expect(open).toHaveLength(1);
        expect(await seen.settled()).toEqual({ visitor: { answered: 1 }, agents: { taken: 1 } });

        await call.visitor.trpc.calls.hangUp.mutate(call.capability);
        await seen.stop();
      }
    });

    it("a decline racing an answer never ends the answered call", async () => {
      const { onA } = both();
      for (let round = 0; round < 5; round++) {
        const call = await startCall(onA, shop.button);
        const seen = await watch(pubsub, shop.accountId, call.sessionId);
        const [answer, decline] = await Promise.allSettled([
          shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId }),
          shop.owner.trpc.phone.decline.mutate({ sessionId: call.sessionId }),
        ]);
        const row = await callRow(cluster.db, call.sessionId);
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
  });

  // Each with an account of its own (its own missed-call emails), all at once: they wait on the
  // real clock for their deadlines.
  describe.concurrent("deadlines on the real clock, acted on by both processes' timers and sweepers", () => {
    it("the ring deadline reached on both processes (the starter's timer, both sweepers): one no-answer, one end event, one missed-call email each", {
      timeout: 60_000,
    }, async () => {
      const shop = await business();
      const { onA, onB } = both();
      const before = await missedCallEmails(shop.email);
      // Four calls at once, two started on each process (whose timer then watches it).
      const calls = await Promise.all([onA, onB, onA, onB].map((side) => startCall(side, shop.button)));
      const seen = await Promise.all(calls.map((call) => watch(pubsub, shop.accountId, call.sessionId)));
      const rows = await Promise.all(calls.map((call) => callRow(cluster.db, call.sessionId)));
      const deadlines = rows.map((row) => row.ringDeadlineAt!.getTime());
      // A moment before the deadline, nobody has acted.
      await sleep(Math.min(...deadlines) - 2_000 - Date.now());
      for (const call of calls)
        expect(await callRow(cluster.db, call.sessionId)).toMatchObject({ status: "ringing" });

      for (const call of calls) {
        await until(
          async () => (await callRow(cluster.db, call.sessionId)).status !== "ringing",
          "the ring deadline to be acted on",
        );
        const row = await callRow(cluster.db, call.sessionId);
        expect(row).toMatchObject({ status: "no-answer", failureReason: "No one answered in time." });
        expect(row.endedAt!.getTime()).toBeGreaterThanOrEqual(row.ringDeadlineAt!.getTime());
      }
      for (const events of seen)
        expect(await events.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
      expect((await missedCallEmailsSettled(shop.email, before + 4)) - before).toBe(4);
      // Nothing is left for anyone, later: more timers and sweeps end nothing again.
      await sleep(DEADLINE_ACTED_MS);
      for (const events of seen)
        expect(await events.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
      expect((await missedCallEmails(shop.email)) - before).toBe(4);
      await Promise.all(seen.map((events) => events.stop()));
    });

    it("a hang-up racing the ring deadline: one end, one end event, and the missed-call email only when the deadline won", {
      timeout: 60_000,
    }, async () => {
      const shop = await business();
      const { onB } = both();
      const before = await missedCallEmails(shop.email);
      // Four calls started on B; each visitor hangs up (through B) around its deadline, when B's
      // timer and both sweepers act on it: a little before, at, and after it, so that either side
      // may win (a request sent at the deadline itself arrives after B's timer has fired).
      const offsetsMs = [-300, -100, 0, 100];
      const calls = await Promise.all(offsetsMs.map(() => startCall(onB, shop.button)));
      const outcomes = await Promise.all(
        calls.map(async (call, i) => {
          const seen = await watch(pubsub, shop.accountId, call.sessionId);
          const { ringDeadlineAt } = await callRow(cluster.db, call.sessionId);
          await sleep(ringDeadlineAt!.getTime() + offsetsMs[i]! - Date.now());
          const hungUp = await call.visitor.trpc.calls.hangUp.mutate(call.capability);
          await until(
            async () => (await callRow(cluster.db, call.sessionId)).status !== "ringing",
            "the call to end",
          );
          const row = await callRow(cluster.db, call.sessionId);
          expect(Number(hungUp.ended) + Number(row.status === "no-answer")).toBe(1);
          expect(row.status).toBe(hungUp.ended ? "canceled" : "no-answer");
          expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
          await seen.stop();
          return row.status;
        }),
      );
      const deadlineWon = outcomes.filter((status) => status === "no-answer").length;
      console.log(`hang-up at the ring deadline: the deadline won ${deadlineWon} of 4`);
      expect((await missedCallEmailsSettled(shop.email, before + deadlineWon)) - before).toBe(deadlineWon);
    });

    it("started on A, answered through B: A's ring timer acting at the deadline leaves the call connected", {
      timeout: 60_000,
    }, async () => {
      const shop = await business();
      const { onA } = both();
      const before = await missedCallEmails(shop.email);
      const call = await startCall(onA, shop.button);
      const seen = await watch(pubsub, shop.accountId, call.sessionId);
      const { ringDeadlineAt } = await callRow(cluster.db, call.sessionId);
      await sleep(1_000);
      await shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId });
      // A's timer fires at the deadline, and both sweepers pass twice after it.
      await sleep(ringDeadlineAt!.getTime() + DEADLINE_ACTED_MS - Date.now());
      expect(await callRow(cluster.db, call.sessionId)).toMatchObject({
        status: "in-progress",
        endedAt: null,
      });
      expect(await seen.settled()).toEqual({ visitor: { answered: 1 }, agents: { taken: 1 } });

      // The visitor hangs up through A: the call lasted from the answer to now.
      await call.visitor.trpc.calls.hangUp.mutate(call.capability);
      const ended = await callRow(cluster.db, call.sessionId);
      expect(ended.status).toBe("completed");
      expect(ended.durationSeconds).toBe(
        Math.round((ended.endedAt!.getTime() - ended.answeredAt!.getTime()) / 1000),
      );
      expect(ended.durationSeconds).toBeGreaterThanOrEqual(RING_SECONDS);
      await sleep(1_000);
      expect((await missedCallEmails(shop.email)) - before).toBe(0);
      await seen.stop();
    });

    it("an answer after the ring deadline is refused, and the call ends as no-answer once", {
      timeout: 60_000,
    }, async () => {
      const shop = await business();
      const { onB } = both();
      const call = await startCall(onB, shop.button);
      const seen = await watch(pubsub, shop.accountId, call.sessionId);
      const { ringDeadlineAt } = await callRow(cluster.db, call.sessionId);
      await sleep(ringDeadlineAt!.getTime() + 50 - Date.now());
      // The owner answers through A; B's timer and both sweepers are acting on the deadline too.
      const late = await expectTrpcError(shop.owner.trpc.phone.answer.mutate({ sessionId: call.sessionId }));
      expect(late.data?.code).toBe("CONFLICT");
      expect(late.message).toBe("This call has already ended.");
      expect(await callRow(cluster.db, call.sessionId)).toMatchObject({
        status: "no-answer",
        answeredBy: null,
      });
      // Sweeps after it find nothing more to do.
      await sleep(DEADLINE_ACTED_MS);
      expect(await callRow(cluster.db, call.sessionId)).toMatchObject({
        status: "no-answer",
        answeredBy: null,
      });
      expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
      await seen.stop();
    });
  });

  describe("Twilio status callbacks delivered twice, to two processes at once", () => {
    it("the voice webhook dials once; answered and completed are each applied once, with one event each", async () => {
      const { a, b, onB } = both();
      const { client, email } = await clusterOwner(cluster);
      const owner = sameBrowserOn(cluster, a, client);
      const me = (await owner.trpc.account.me.query())!;
      // The Starter plan (it may ring a phone), set directly as billing would.
      await cluster.db.update(accounts).set({ plan: "starter" }).where(eq(accounts.id, me.account.id));
      const button = await owner.trpc.buttons.create.mutate(
        validButton({ hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: false }),
      );
      const started = await onB.client({ origin: SHOP, ip: uniqueIp() }).trpc.calls.start.mutate({
        button: button.publicId,
      });
      expect(started.transport).toBe("twilio");
      const seen = await watch(pubsub, me.account.id, started.sessionId);
      const parent = callSid();
      const child = callSid();
      const toBoth = (
        path: "/webhooks/twilio/voice" | "/webhooks/twilio/status",
        params: Record<string, string>,
      ) => Promise.all([postTwilio(a, signing, path, params), postTwilio(b, signing, path, params)]);

      const voice = await toBoth("/webhooks/twilio/voice", {
        AccountSid: twilio.TWILIO_ACCOUNT_SID,
        CallSid: parent,
        CallStatus: "ringing",
        From: `client:${started.sessionId}`,
        To: "",
        session: started.sessionId,
      });
      expect(voice.filter((r) => r.text.includes("<Dial")).length).toBe(1);
      const dialed = await callRow(cluster.db, started.sessionId);
      expect(dialed).toMatchObject({ status: "ringing", providerCallId: parent });
      // The latest it may run: the ring, then the Starter plan's 30 minutes.
      expect(dialed.limitEndsAt!.getTime() - dialed.ringDeadlineAt!.getTime()).toBe(30 * 60_000);

      const leg = {
        AccountSid: twilio.TWILIO_ACCOUNT_SID,
        CallSid: child,
        ParentCallSid: parent,
        To: "+12025550188",
      };
      await toBoth("/webhooks/twilio/status", { ...leg, CallStatus: "in-progress" });
      const answered = await callRow(cluster.db, started.sessionId);
      expect(answered.status).toBe("in-progress");
      // From the answer on, the Dial's timeLimit.
      expect(answered.limitEndsAt!.getTime() - answered.answeredAt!.getTime()).toBe(30 * 60_000);

      await toBoth("/webhooks/twilio/status", {
        AccountSid: twilio.TWILIO_ACCOUNT_SID,
        CallSid: parent,
        CallStatus: "in-progress",
        DialCallSid: child,
        DialCallStatus: "completed",
        DialCallDuration: "95",
      });
      expect(await callRow(cluster.db, started.sessionId)).toMatchObject({
        status: "completed",
        durationSeconds: 95,
      });
      expect(await seen.settled()).toEqual({
        visitor: { ringing: 1, answered: 1, ended: 1 },
        agents: { ended: 1 },
      });
      await sleep(1_000);
      expect(await missedCallEmails(email)).toBe(0);
      await seen.stop();
    });
  });
});

/** The unit test's ring timeout: its clock is moved by hand, so any length will do. */
const RING_TIMEOUT_SECONDS = 30;

describe("a deadline's compare-and-set raced from two connection pools at one instant (unit: one app, a second pool, a test clock)", () => {
  // The app's pool and a second one (as a second process would have, on Postgres) run the
  // deadline's timer and the sweeper at the same instant of one clock. Jobs are off: the test runs
  // them by hand; the app's email worker delivers what either pool queued.
  let db: TestDbHandle;
  let h: Harness;
  let other: SecondPool;
  let shop: Awaited<ReturnType<typeof business>>;

  async function business() {
    const { client: owner, email } = await signupVerified(h);
    const me = (await owner.trpc.account.me.query())!;
    const agent = await loginAgent(h, me.account.id);
    const agentMe = (await agent.client.trpc.account.me.query())!;
    const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    // Both have a portal tab open (a phone panel's stream), so calls ring them.
    const panels = [await readyToAnswer(h.url, owner), await readyToAnswer(h.url, agent.client)];
    return {
      owner,
      ownerId: me.user.id,
      email,
      agent: agent.client,
      agentId: agentMe.user.id,
      accountId: me.account.id,
      button,
      panels,
    };
  }

  beforeAll(async () => {
    db = await createTestDb();
    const pubsubKeyPrefix = unique("cac-cas");
    h = await startHarness({
      db,
      env: { RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS) },
      limits: { "call.button": { points: 10_000, durationSeconds: 60 } },
      build: { jobs: false, pubsubKeyPrefix },
    });
    other = await secondPool(h, db, pubsubKeyPrefix);
    shop = await business();
  }, HARNESS_TIMEOUT_MS);

  afterAll(async () => {
    await other?.close();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  /** Both pools' timers for the deadline and both sweepers, at once: how many of them ended the call. */
  async function everyoneActs(sessionId: string, kind: DeadlineKind) {
    const [timerA, timerB, sweptA, sweptB] = await Promise.all([
      endAtDeadline(h.ports, sessionId, kind),
      endAtDeadline(other.deps, sessionId, kind),
      sweepStaleCalls(h.ports, RING_TIMEOUT_SECONDS),
      sweepStaleCalls(other.deps, RING_TIMEOUT_SECONDS),
    ]);
    return [timerA, timerB].filter(Boolean).length + sweptA + sweptB;
  }

  async function missedCallEmails(to: string) {
    return (await h.outbox(to)).filter((m) => m.subject.startsWith("Missed call")).length;
  }

  /** A visitor's call, with the agents' phone panels open (their heartbeat) at the test clock's now. */
  async function ringing() {
    await Promise.all([touchAgent(h.ports, shop.ownerId), touchAgent(h.ports, shop.agentId)]);
    return startCall(h, shop.button);
  }

  it("the ring deadline reached by both at once (timers and sweepers): one no-answer, one end event, one missed-call email", async () => {
    const call = await ringing();
    const seen = await watch(h.ports.pubsub, shop.accountId, call.sessionId);
    const before = await missedCallEmails(shop.email);
    // A moment before the deadline, nobody acts: a timer that fires early ends nothing.
    h.clock.advance(RING_TIMEOUT_SECONDS * 1000 - 1);
    expect(await everyoneActs(call.sessionId, "ring")).toBe(0);
    expect(await callRow(db.db, call.sessionId)).toMatchObject({ status: "ringing" });

    h.clock.advance(1);
    expect(await everyoneActs(call.sessionId, "ring")).toBe(1);
    const row = await callRow(db.db, call.sessionId);
    expect(row).toMatchObject({ status: "no-answer", failureReason: "No one answered in time." });
    expect(row.endedAt).toEqual(row.ringDeadlineAt);
    expect(await seen.settled()).toEqual({ visitor: { ended: 1 }, agents: { ended: 1 } });
    expect((await missedCallEmails(shop.email)) - before).toBe(1);
    // Nothing is left for anyone, later.
    h.clock.advance(60_000);
    expect(await everyoneActs(call.sessionId, "ring")).toBe(0);
    expect((await missedCallEmails(shop.email)) - before).toBe(1);
    await seen.stop();
  });

  it("the time limit stored with the answer, reached by both at once (a timer, the other's sweeper): ended once, at the limit, billed to it", async () => {
    const usedBefore = (await getUsage(h.ports, shop.accountId)).minutesUsed;
    const call = await ringing();
    const seen = await watch(h.ports.pubsub, shop.accountId, call.sessionId);
    const answered = await shop.agent.trpc.phone.answer.mutate({ sessionId: call.sessionId });
    // The Free plan's 10 minutes, stored with the answer.
    expect(answered.maxCallSeconds).toBe(600);
    const row = await callRow(db.db, call.sessionId);
    expect(row.limitEndsAt!.getTime() - row.answeredAt!.getTime()).toBe(600_000);

    // A moment before the limit, with both parties still connected (their heartbeats), nobody acts.
    h.clock.advance(599_000);
    await touchCall(h.ports, call.sessionId);
    await touchAgent(other.deps, shop.agentId);
    expect(await everyoneActs(call.sessionId, "limit")).toBe(0);
    expect(await callRow(db.db, call.sessionId)).toMatchObject({ status: "in-progress" });

    // Seconds after the limit, both act on it at once.
    h.clock.advance(3_000);
    expect(await everyoneActs(call.sessionId, "limit")).toBe(1);
    const ended = await callRow(db.db, call.sessionId);
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
    expect((await getUsage(h.ports, shop.accountId)).minutesUsed - usedBefore).toBe(10);
    expect(await everyoneActs(call.sessionId, "limit")).toBe(0);
    await seen.stop();
  });
});
