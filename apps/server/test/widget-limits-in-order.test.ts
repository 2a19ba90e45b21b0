/**
 * calls.start with the captcha off: the per-IP and per-button limits are counted in one ordered
 * consume (one round trip with Redis), and the order still holds: an IP refused by its own limit
 * spends none of the button's budget, and the refusal names the limit that refused.
 */
import { securityEvents } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Business, callsFrom, closeBusinessPanels, openBusiness, startCallFrom } from "./abuse-world";
import { expectTrpcError, HARNESS_TIMEOUT_MS, type Harness, LIFTED, startHarness } from "./harness";

const IP_LIMIT = 2;
const BUTTON_BUDGET = 3;

describe("widget entry limits with the captcha off", () => {
  let h: Harness;
  let shop: Business;
  beforeAll(async () => {
    h = await startHarness({
      limits: {
        "call.ip": { points: IP_LIMIT, durationSeconds: 600 },
        "call.button": { points: BUTTON_BUDGET, durationSeconds: 3600 },
        "signup.ip": LIFTED,
      },
      build: { jobs: false },
    });
    shop = await openBusiness(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  async function refusedLimits(ip: string) {
    const rows = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
    return rows.map((row) => [row.kind, row.detail.limit, row.count]);
  }

  it("an IP past its limit spends none of the button's budget; the button's own limit refuses after it", async () => {
    expect(h.ports.captcha.mode).toBe("off");
    const crowd = "203.0.113.10";
    for (let i = 0; i < IP_LIMIT; i++) expect((await startCallFrom(h, shop, crowd)).transport).toBe("webrtc");
    for (let i = 0; i < 3; i++) {
      const refused = await expectTrpcError(startCallFrom(h, shop, crowd));
      expect(refused.data?.appCode).toBe("RATE_LIMITED");
    }
    expect(await refusedLimits(crowd)).toEqual([["call_refused_rate_limited", "call.ip", 3]]);
    expect(await callsFrom(h, crowd)).toHaveLength(IP_LIMIT);

    // The button spent IP_LIMIT of its budget, not one more for each refused attempt.
    const others = ["203.0.113.11", "203.0.113.12"];
    for (let i = IP_LIMIT; i < BUTTON_BUDGET; i++) {
      expect((await startCallFrom(h, shop, others[0]!)).transport).toBe("webrtc");
    }
    const overBudget = await expectTrpcError(startCallFrom(h, shop, others[1]!));
    expect(overBudget.data?.appCode).toBe("RATE_LIMITED");
    expect(await refusedLimits(others[1]!)).toEqual([["call_refused_rate_limited", "call.button", 1]]);
    expect(await callsFrom(h, others[1]!)).toHaveLength(0);
  });
});
