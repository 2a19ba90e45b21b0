/**
 * What one `calls.start` of a routed button costs in round trips: one read (the button, its
 * account's usage, the visitor IP's recent calls, the routing and who might be reachable, in one
 * prepared query), one read of the presence store for every candidate at once, and one write (the
 * reservation, the call session and its first ring step's rows, in one statement). Counted at the
 * drivers, so a statement added to the path shows here first.
 */
import { type Presence, touchAgent } from "@cac/core";
import { callRingSteps } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";
import { countStatements } from "./statement-counter";

const SHOP = "https://shop.test";

/** Counts the presence store's reads (each one round trip to Redis when it is configured). */
function countPresenceReads(presence: Presence) {
  const reads = { calls: 0 };
  const methods = ["lastSeen", "holdingStreams", "reachability", "readCallable"] as const;
  const originals = methods.map((method) => [method, presence[method]] as const);
  for (const [method, original] of originals) {
    (presence as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      reads.calls++;
      return (original as (...a: unknown[]) => unknown).apply(presence, args);
    };
  }
  return {
    reads,
    stop: () => {
      for (const [method, original] of originals)
        (presence as unknown as Record<string, unknown>)[method] = original;
    },
  };
}

describe("calls.start round trips", () => {
  let h: Harness;
  let owner: TestClient;
  let ownerId: string;
  let agentId: string;
  let button: { id: string; publicId: string };
  const releases: Array<() => void> = [];

  beforeAll(async () => {
    h = await startHarness({ limits: { "call.ip": LIFTED, "call.button": LIFTED }, build: { jobs: false } });
    const signedUp = await signupVerified(h);
    owner = signedUp.client;
    const me = await memberByEmail(h.db.db, signedUp.email);
    ownerId = me.id;
    const agent = await loginAgent(h, me.accountId);
    agentId = (await memberByEmail(h.db.db, agent.email)).id;
    button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    // Both members reachable: set available, heard from, and holding a panel's live stream.
    for (const [client, userId] of [
      [owner, ownerId],
      [agent.client, agentId],
    ] as const) {
      await client.trpc.phone.setAvailable.mutate({ available: true });
      await touchAgent(h.ports, userId);
      releases.push(h.ports.presence.holdStream({ accountId: me.accountId, userId }));
    }
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    for (const release of releases) release();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  async function countedStart() {
    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    // The email queue's worker polls on its own timer: on a slow machine a poll can fall inside
    // the call's window, and it is none of the call's round trips.
    const statements = countStatements(h.db, { except: (text) => /^update "email_queue"/.test(text) });
    const presence = countPresenceReads(h.ports.presence);
    try {
      const call = await visitor.trpc.calls.start.mutate({ button: button.publicId });
      return {
        call,
        statements: statements.counts,
        sent: statements.sent,
        presenceReads: presence.reads.calls,
      };
    } finally {
      statements.stop();
      presence.stop();
    }
  }

  const stepsOf = (callId: string) =>
    h.db.db
      .select({ step: callRingSteps.step, userId: callRingSteps.userId, outcome: callRingSteps.outcome })
      .from(callRingSteps)
      .where(eq(callRingSteps.callId, callId))
      .orderBy(asc(callRingSteps.userId));

  it("ring all: one read, one presence read and one write, the step's members rung from the start", async () => {
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "all",
      strategy: "ring-all",
      stepSeconds: 20,
      members: [],
    });
    const { call, statements, sent, presenceReads } = await countedStart();
    expect(statements.total, sent.join("\n---\n")).toBe(2);
    expect(statements.select).toBe(1);
    expect(statements.with).toBe(1);
    expect(presenceReads).toBe(1);
    expect(await stepsOf(call.sessionId)).toEqual(
      [ownerId, agentId].sort().map((userId) => ({ step: 0, userId, outcome: "ringing" })),
    );
  });

  it("ring in order among chosen members: the same three, and only the first step's member rung", async () => {
    await owner.trpc.buttons.setRouting.mutate({
      id: button.id,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 15,
      members: [
        { userId: agentId, ringSeconds: null },
        { userId: ownerId, ringSeconds: 10 },
      ],
    });
    const { call, statements, sent, presenceReads } = await countedStart();
    expect(statements.total, sent.join("\n---\n")).toBe(2);
    expect(presenceReads).toBe(1);
    expect(await stepsOf(call.sessionId)).toEqual([{ step: 0, userId: agentId, outcome: "ringing" }]);
  });
});
