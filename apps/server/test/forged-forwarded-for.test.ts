import { defaultLimits } from "@cac/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Business, closeBusinessPanels, flagsOf, openBusiness, startCallFrom } from "./abuse-world";
import {
  errorOf,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  startHarness,
  uniqueEmail,
} from "./harness";

/**
 * X-Forwarded-For as nginx's $proxy_add_x_forwarded_for passes it on: whatever the client sent,
 * then the address nginx saw. The harness runs with TRUST_PROXY=1 (one proxy), as the README's
 * nginx setup does; apps/server/test/nginx-proxy.test.ts runs the same attack through a real nginx.
 */
const throughProxy = (forged: string, real: string) => `${forged}, ${real}`;

/** Whether an attempt got past the rate limit (anything but RATE_LIMITED), and its refusal if any. */
async function pastLimit(attempt: Promise<unknown>): Promise<boolean> {
  try {
    await attempt;
    return true;
  } catch (error) {
    return errorOf(error).data?.appCode !== "RATE_LIMITED";
  }
}

describe("forged X-Forwarded-For entries behind one trusted proxy (TRUST_PROXY=1)", () => {
  let h: Harness;
  let shops: Business[];
  beforeAll(async () => {
    h = await startHarness({
      // The per-IP limits at their defaults, as the attack met them.
      limits: { "call.button": LIFTED, "signup.ip": LIFTED },
      build: { jobs: false, abuseThresholds: { accounts: { max: 2, windowSeconds: 60 * 60 } } },
    });
    shops = [await openBusiness(h), await openBusiness(h), await openBusiness(h)];
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  it("rotating forged entries get no call past the per-IP call limit (0 of 12)", async () => {
    const attacker = "198.51.100.7";
    const limit = defaultLimits["call.ip"].points;
    for (let i = 0; i < limit; i++) {
      expect(await pastLimit(startCallFrom(h, shops[0]!, throughProxy(`6.6.${i}.1`, attacker)))).toBe(true);
    }
    let past = 0;
    for (let i = 0; i < 12; i++) {
      if (await pastLimit(startCallFrom(h, shops[0]!, throughProxy(`7.7.${i}.1`, attacker)))) past += 1;
    }
    expect(past).toBe(0);
    // Another visitor of the same button is not held up by the attacker.
    expect((await startCallFrom(h, shops[0]!, throughProxy("7.7.7.7", "198.51.100.8"))).transport).toBe(
      "webrtc",
    );
  });

  it("rotating forged entries get no login past the per-IP login limit (0 of 40)", async () => {
    const attacker = "198.51.100.9";
    const login = (forged: string) =>
      h
        .client({ ip: throughProxy(forged, attacker) })
        // A new unknown email each time: only the per-IP limit can stop these.
        .trpc.auth.login.mutate({ email: uniqueEmail("guess"), password: "not-the-password" });
    for (let i = 0; i < defaultLimits["login.ip"].points; i++) {
      expect(await pastLimit(login(`6.6.${i}.2`))).toBe(true);
    }
    let past = 0;
    for (let i = 0; i < 40; i++) {
      if (await pastLimit(login(`7.7.${i}.2`))) past += 1;
    }
    expect(past).toBe(0);
  });

  it("calls naming a victim in a forged entry flag the caller, never the victim", async () => {
    const victim = "203.0.113.66";
    const attacker = "198.51.100.10";
    // Three businesses from one address crosses the spread rule (more than 2 accounts).
    expect((await startCallFrom(h, shops[0]!, throughProxy(victim, attacker))).transport).toBe("webrtc");
    expect((await startCallFrom(h, shops[1]!, throughProxy(victim, attacker))).transport).toBe("webrtc");
    const refused = await expectTrpcError(startCallFrom(h, shops[2]!, throughProxy(victim, attacker)));
    expect(refused.data?.appCode).toBe("IP_BLOCKED");
    expect(await flagsOf(h, victim)).toEqual([]);
    expect(await flagsOf(h, attacker)).toMatchObject([{ source: "auto", accountId: null }]);
    // The victim still calls.
    expect((await startCallFrom(h, shops[2]!, throughProxy("6.6.6.6", victim))).transport).toBe("webrtc");
  });
});
