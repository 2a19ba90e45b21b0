import { defaultLimits } from "@cac/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Business,
  closeBusinessPanels,
  eventKindsOf,
  flagsOf,
  openBusiness,
  seedCalls,
  startCallFrom,
} from "./abuse-world";
import {
  errorOf,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueEmail,
} from "./harness";

/**
 * One IPv6 subscriber holds a whole /64: 2^64 addresses. Limits, blocks and flags count an IPv6
 * visitor by that /64 (ipKey), or rotating addresses inside it escapes every one of them.
 */

const OPERATOR = `${unique("ops")}@clickandcall.test`;

let nextNet = 0;
/** A /64 no other test of this suite uses, and an address of it by its last group. */
function freshNet() {
  const net = `2001:db8:6464:${(++nextNet).toString(16)}`;
  return { key: `${net}::/64`, at: (host: string) => `${net}:${host}` };
}

async function refusal(attempt: Promise<unknown>): Promise<string | null> {
  try {
    await attempt;
    return null;
  } catch (error) {
    return errorOf(error).data?.appCode ?? "unknown";
  }
}

describe("IPv6 visitors are keyed by their /64", () => {
  let h: Harness;
  let shop: Business;
  let other: Business;
  let operator: TestClient;
  beforeAll(async () => {
    h = await startHarness({
      env: { OPERATOR_EMAILS: OPERATOR },
      limits: { "call.button": LIFTED, "signup.ip": LIFTED, "login.ip": { points: 3, durationSeconds: 600 } },
      build: { jobs: false },
    });
    shop = await openBusiness(h);
    other = await openBusiness(h);
    operator = (await signupVerified(h, { email: OPERATOR })).client;
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  it("rotating addresses inside one /64 meets the call limit (0 of 12 past it); the next /64 does not", async () => {
    const net = freshNet();
    const limit = defaultLimits["call.ip"].points;
    for (let i = 1; i <= limit; i++) {
      expect(await refusal(startCallFrom(h, shop, net.at(`${i}:0:0:${i}`)))).toBeNull();
    }
    const refused = [];
    for (let i = 1; i <= 12; i++) refused.push(await refusal(startCallFrom(h, shop, net.at(`ff:${i}::1`))));
    expect(refused.filter((code) => code !== "RATE_LIMITED")).toEqual([]);
    expect(await refusal(startCallFrom(h, shop, freshNet().at(":1")))).toBeNull();
  });

  it("rotating addresses inside one /64 meets the login limit", async () => {
    const net = freshNet();
    const login = (host: string) =>
      h
        .client({ ip: net.at(host) })
        .trpc.auth.login.mutate({ email: uniqueEmail("guess"), password: "not-the-password" });
    const codes = [];
    for (const host of [":1", ":2", "1::3", "ab:cd:ef:1"]) codes.push(await refusal(login(host)));
    expect(codes).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED", "RATE_LIMITED"]);
  });

  it("an owner's block of one address blocks its /64, for that owner only, and is lifted by what the list shows", async () => {
    const net = freshNet();
    const block = await shop.client.trpc.abuse.blockIp.mutate({ ip: net.at(":5"), reason: "Prank caller" });
    expect(block.ip).toBe(net.key);
    // Blocking another address of the same /64 finds the same block.
    expect(await shop.client.trpc.abuse.blockIp.mutate({ ip: net.at("9::9") })).toMatchObject({
      id: block.id,
      created: false,
    });

    expect(await refusal(startCallFrom(h, shop, net.at("abcd::1")))).toBe("IP_BLOCKED");
    expect(await refusal(startCallFrom(h, other, net.at("abcd::1")))).toBeNull();
    expect(await refusal(startCallFrom(h, shop, freshNet().at(":5")))).toBeNull();

    const listed = await shop.client.trpc.abuse.listBlocks.query();
    expect(listed.map((b) => b.ip)).toContain(net.key);
    expect(await shop.client.trpc.abuse.unblockIp.mutate({ ip: net.key })).toEqual({ cleared: 1 });
    expect(await refusal(startCallFrom(h, shop, net.at("abcd::2")))).toBeNull();
  });

  it("blocking from a call blocks the caller's /64", async () => {
    const net = freshNet();
    const call = await startCallFrom(h, shop, net.at(":7"));
    const block = await shop.client.trpc.abuse.blockIp.mutate({ callId: call.sessionId });
    expect(block.ip).toBe(net.key);
    expect(await refusal(startCallFrom(h, shop, net.at(":8")))).toBe("IP_BLOCKED");
  });

  it("an operator's block of one address blocks its /64 on every account", async () => {
    const net = freshNet();
    await operator.trpc.abuse.addBlock.mutate({ ip: net.at(":1"), reason: "Abuse report" });
    expect(await refusal(startCallFrom(h, shop, net.at("2:3:4:5")))).toBe("IP_BLOCKED");
    expect(await refusal(startCallFrom(h, other, net.at("2:3:4:6")))).toBe("IP_BLOCKED");
    const again = await expectTrpcError(
      operator.trpc.abuse.addBlock.mutate({ ip: net.at("ffff::1"), reason: "Same network" }),
    );
    expect(again.data?.fieldErrors?.ip?.[0]).toMatch(/already blocked/);
  });

  it("automatic flagging counts the calls of a whole /64, and flags the /64", async () => {
    const net = freshNet();
    // Earlier calls from three addresses of the /64, together at the threshold (40 starts an hour).
    await seedCalls(h, shop, net.at(":a1"), 14);
    await seedCalls(h, shop, net.at(":a2"), 13);
    await seedCalls(h, shop, net.at("1:2:3:a3"), 13);
    expect(await refusal(startCallFrom(h, shop, net.at(":a4")))).toBe("IP_BLOCKED");
    const [flag] = await flagsOf(h, net.key);
    expect(flag).toMatchObject({ source: "auto", accountId: null });
    expect(flag!.reason).toMatch(/more than 40 calls/i);
    // The whole /64 is refused, on every account; the next /64 is not.
    expect(await refusal(startCallFrom(h, other, net.at("beef::1")))).toBe("IP_BLOCKED");
    expect(await refusal(startCallFrom(h, other, freshNet().at(":a4")))).toBeNull();

    // Operators find the flag, and the events of every address of its /64 under it.
    const flags = await operator.trpc.abuse.flags.query({ status: "active", ip: net.key.split("::")[0] });
    expect(flags.items.map((f) => f.ip)).toEqual([net.key]);
    const events = await operator.trpc.abuse.events.query({ ip: net.key });
    expect(events.items.map((e) => `${e.kind} ${e.ip}`).sort()).toEqual([
      `call_refused_blocked_ip ${net.at(":a4")}`,
      `call_refused_blocked_ip ${net.at("beef::1")}`,
      `ip_flagged ${net.at(":a4")}`,
    ]);
    expect(await eventKindsOf(h, net.at(":a4"))).toEqual(["ip_flagged", "call_refused_blocked_ip"]);
  });
});
