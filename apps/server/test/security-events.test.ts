/**
 * Repeated refusals are counted, not written one row each: a blocked IP hammering calls.start
 * leaves one security event per (IP, kind, minute) with its count. The operators' page shows the
 * count, and the retention job still deletes the rows after 12 months.
 */

import { purgeExpiredIps } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import { abuseFlags, securityEvents } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Business, closeBusinessPanels, openBusiness, startCallFrom } from "./abuse-world";
import {
  errorOf,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";

const OPERATOR = `${unique("ops")}@clickandcall.test`;
const DAY = 24 * 60 * 60 * 1000;

describe("refusals are aggregated per (IP, kind, minute)", () => {
  let h: Harness;
  let shop: Business;
  let operator: TestClient;
  beforeAll(async () => {
    h = await startHarness({
      env: { OPERATOR_EMAILS: OPERATOR },
      limits: { "signup.ip": LIFTED },
      build: { jobs: false },
    });
    shop = await openBusiness(h);
    operator = (await signupVerified(h, { email: OPERATOR })).client;
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  const eventsOf = (ip: string) => h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));

  it("500 refusals of a blocked IP make one row with count 500; the next minute starts a new row", async () => {
    // IPv4: the operators' search takes an address in its normalized spelling.
    const ip = "203.0.113.50";
    await h.db.db.insert(abuseFlags).values({ ip: ipKey(ip), reason: "flood", source: "operator" });
    // Five at a time, as a script would send them.
    const codes = new Set<unknown>();
    for (let i = 0; i < 100; i++) {
      const batch = await Promise.allSettled(Array.from({ length: 5 }, () => startCallFrom(h, shop, ip)));
      for (const outcome of batch) {
        expect(outcome.status).toBe("rejected");
        if (outcome.status === "rejected") codes.add(errorOf(outcome.reason).data?.appCode);
      }
    }
    expect([...codes]).toEqual(["IP_BLOCKED"]);
    const rows = await eventsOf(ip);
    expect(rows.map((r) => [r.kind, r.count])).toEqual([["call_refused_blocked_ip", 500]]);
    expect(rows[0]!.accountId).toBe(shop.accountId);
    expect(rows[0]!.detail).toMatchObject({ button: shop.publicId });

    h.clock.advance(60_000);
    await expect(startCallFrom(h, shop, ip)).rejects.toThrow();
    const next = await eventsOf(ip);
    expect(next.map((r) => r.count).sort((a, b) => a - b)).toEqual([1, 500]);

    // The operators' page shows the count, newest first.
    const page = await operator.trpc.abuse.events.query({ ip });
    expect(page.items.map((e) => [e.kind, e.count])).toEqual([
      ["call_refused_blocked_ip", 1],
      ["call_refused_blocked_ip", 500],
    ]);
  });

  it("one-off events (a customer's block, its removal) keep a row each", async () => {
    const ip = "198.51.100.77";
    for (let i = 0; i < 2; i++) {
      await shop.client.trpc.abuse.blockIp.mutate({ ip });
      await shop.client.trpc.abuse.unblockIp.mutate({ ip });
    }
    const kinds = (await eventsOf(ip)).map((r) => [r.kind, r.count]);
    expect(kinds.sort()).toEqual([
      ["ip_blocked_by_customer", 1],
      ["ip_blocked_by_customer", 1],
      ["ip_unblocked_by_customer", 1],
      ["ip_unblocked_by_customer", 1],
    ]);
  });

  it("the retention job deletes aggregated rows after 12 months, once the IP's flag has ended", async () => {
    const ip = uniqueIp();
    const [flag] = await h.db.db
      .insert(abuseFlags)
      .values({ ip: ipKey(ip), reason: "flood", source: "customer", accountId: shop.accountId })
      .returning();
    for (let i = 0; i < 20; i++) await expect(startCallFrom(h, shop, ip)).rejects.toThrow();
    expect((await eventsOf(ip)).map((r) => r.count)).toEqual([20]);
    await h.db.db.update(abuseFlags).set({ clearedAt: h.clock.now() }).where(eq(abuseFlags.id, flag!.id));

    h.clock.advance(300 * DAY);
    await purgeExpiredIps(h.ports);
    expect(await eventsOf(ip)).toHaveLength(1);
    h.clock.advance(70 * DAY);
    const result = await purgeExpiredIps(h.ports);
    expect(result.counts.securityEventsDeleted).toBeGreaterThanOrEqual(1);
    expect(await eventsOf(ip)).toEqual([]);
  });
});
