import { abuseFlags, callSessions, securityEvents } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Business,
  callsFrom,
  closeBusinessPanels,
  eventKindsOf,
  flagsOf,
  openBusiness,
  seedCalls,
  startCallFrom,
} from "./abuse-world";
import { expectTrpcError, HARNESS_TIMEOUT_MS, type Harness, LIFTED, startHarness } from "./harness";

// Small thresholds so each rule is crossed in a few calls; the call limits are lifted so only the
// abuse rules refuse.
const thresholds = {
  callStarts: { max: 3, windowSeconds: 60 * 60 },
  shortCalls: { count: 2, underSeconds: 5, windowSeconds: 60 * 60 },
  accounts: { max: 2, windowSeconds: 60 * 60 },
};

let next = 0;
/** An address no other test of this suite uses. */
const freshIp = () => `198.51.100.${++next}`;

describe("automatic abuse flagging at call start", () => {
  let h: Harness;
  let shop: Business;
  beforeAll(async () => {
    h = await startHarness({
      limits: { "call.ip": LIFTED, "call.button": LIFTED, "signup.ip": LIFTED },
      build: { jobs: false, abuseThresholds: thresholds },
    });
    shop = await openBusiness(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  it("many call starts: the attempt past the threshold flags the IP for 24 h and is refused, creating nothing", async () => {
    const ip = freshIp();
    for (let i = 0; i < thresholds.callStarts.max; i++) {
      expect((await startCallFrom(h, shop, ip)).transport).toBe("webrtc");
    }
    expect(await callsFrom(h, ip)).toHaveLength(3);

    const refused = await expectTrpcError(startCallFrom(h, shop, ip));
    expect(refused.data?.appCode).toBe("IP_BLOCKED");
    expect(refused.data?.httpStatus).toBe(403);
    expect(refused.message).toMatch(/calls from your network are blocked/i);
    expect(await callsFrom(h, ip)).toHaveLength(3);

    const flags = await flagsOf(h, ip);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ source: "auto", accountId: null, clearedAt: null });
    expect(flags[0]!.reason).toMatch(/more than 3 calls within an hour/i);
    expect(flags[0]!.expiresAt!.getTime() - h.clock.now().getTime()).toBe(24 * 60 * 60 * 1000);
    expect(await eventKindsOf(h, ip)).toEqual(["ip_flagged", "call_refused_blocked_ip"]);

    // Flagged: refused at once again, each refusal counted (on the same minute's row), and still
    // one flag (idempotent).
    const again = await expectTrpcError(startCallFrom(h, shop, ip));
    expect(again.data?.appCode).toBe("IP_BLOCKED");
    expect(await flagsOf(h, ip)).toHaveLength(1);
    const events = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
    expect(events.map((e) => [e.kind, e.count]).sort()).toEqual([
      ["call_refused_blocked_ip", 2],
      ["ip_flagged", 1],
    ]);
    expect(await callsFrom(h, ip)).toHaveLength(3);
  });

  it("the flag blocks the IP on every account, and lapses after its 24 hours", async () => {
    const ip = freshIp();
    await seedCalls(h, shop, ip, thresholds.callStarts.max);
    expect((await expectTrpcError(startCallFrom(h, shop, ip))).data?.appCode).toBe("IP_BLOCKED");
    const other = await openBusiness(h);
    expect((await expectTrpcError(startCallFrom(h, other, ip))).data?.appCode).toBe("IP_BLOCKED");

    h.clock.advance(24 * 60 * 60 * 1000 + 1000);
    // The calls that led to the flag do not count again.
    expect((await startCallFrom(h, shop, ip)).transport).toBe("webrtc");
  });

  it("racing starts past the threshold make one flag", async () => {
    const ip = freshIp();
    await seedCalls(h, shop, ip, thresholds.callStarts.max);
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => startCallFrom(h, shop, ip)));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(await flagsOf(h, ip)).toHaveLength(1);
    expect((await eventKindsOf(h, ip)).filter((k) => k === "ip_flagged")).toHaveLength(1);
  });

  it("many very short answered calls flag the IP; longer calls do not", async () => {
    const talker = freshIp();
    await seedCalls(h, shop, talker, thresholds.shortCalls.count, { talkedSeconds: 40 });
    expect((await startCallFrom(h, shop, talker)).transport).toBe("webrtc");
    expect(await flagsOf(h, talker)).toHaveLength(0);

    const dropper = freshIp();
    await seedCalls(h, shop, dropper, thresholds.shortCalls.count, { talkedSeconds: 2 });
    const refused = await expectTrpcError(startCallFrom(h, shop, dropper));
    expect(refused.data?.appCode).toBe("IP_BLOCKED");
    const [flag] = await flagsOf(h, dropper);
    expect(flag?.source).toBe("auto");
    expect(flag?.reason).toMatch(/2 answered calls shorter than 5 seconds/);
    expect(await callsFrom(h, dropper)).toHaveLength(2);
  });

  it("calls across many accounts flag the IP", async () => {
    const [second, third] = [await openBusiness(h), await openBusiness(h)];
    const ip = freshIp();
    // Two accounts called: the second is still within the threshold.
    expect((await startCallFrom(h, shop, ip)).transport).toBe("webrtc");
    expect((await startCallFrom(h, second, ip)).transport).toBe("webrtc");
    // A third account would make three.
    const refused = await expectTrpcError(startCallFrom(h, third, ip));
    expect(refused.data?.appCode).toBe("IP_BLOCKED");
    const [flag] = await flagsOf(h, ip);
    expect(flag?.reason).toMatch(/more than 2 different businesses/);
    expect(
      await h.db.db.select().from(callSessions).where(eq(callSessions.accountId, third.accountId)),
    ).toHaveLength(0);
  });

  it("calls outside the window do not count", async () => {
    const ip = freshIp();
    await seedCalls(h, shop, ip, thresholds.callStarts.max);
    h.clock.advance(thresholds.callStarts.windowSeconds * 1000 + 60_000);
    expect((await startCallFrom(h, shop, ip)).transport).toBe("webrtc");
    expect(await h.db.db.select().from(abuseFlags).where(eq(abuseFlags.ip, ip))).toHaveLength(0);
  });

  it("a refusal by the call limits is recorded as a security event", async () => {
    const limited = await startHarness({
      limits: { "call.ip": { points: 1, durationSeconds: 600 }, "signup.ip": LIFTED },
      build: { jobs: false },
    });
    try {
      const business = await openBusiness(limited);
      const ip = "203.0.113.200";
      expect((await startCallFrom(limited, business, ip)).transport).toBe("webrtc");
      const refused = await expectTrpcError(startCallFrom(limited, business, ip));
      expect(refused.data?.appCode).toBe("RATE_LIMITED");
      expect(await eventKindsOf(limited, ip)).toEqual(["call_refused_rate_limited"]);
      expect(await callsFrom(limited, ip)).toHaveLength(1);
    } finally {
      await limited.close();
    }
  });
});
