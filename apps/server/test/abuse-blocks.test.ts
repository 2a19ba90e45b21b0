import { abuseFlags } from "@cac/db";
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
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
} from "./harness";

const OPERATOR = `${unique("ops")}@clickandcall.test`;

let next = 0;
const freshIp = () => `192.0.2.${++next}`;

describe("abuse: customer blocks and operator review", () => {
  let h: Harness;
  let shop: Business;
  let other: Business;
  let operator: TestClient;
  beforeAll(async () => {
    h = await startHarness({
      env: { OPERATOR_EMAILS: OPERATOR },
      limits: { "call.ip": LIFTED, "call.button": LIFTED, "signup.ip": LIFTED },
      build: { jobs: false, abuseThresholds: { callStarts: { max: 3, windowSeconds: 3600 } } },
    });
    shop = await openBusiness(h);
    other = await openBusiness(h);
    operator = (await signupVerified(h, { email: OPERATOR })).client;
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  describe("an owner blocks a caller from the call log", () => {
    it("blocks the IP of one of their calls for their own account only; another account still takes it", async () => {
      const ip = freshIp();
      const first = await startCallFrom(h, shop, ip);
      const block = await shop.client.trpc.abuse.blockIp.mutate({
        callId: first.sessionId,
        reason: "Prank caller",
      });
      expect(block).toMatchObject({ ip, reason: "Prank caller", created: true });
      expect(await flagsOf(h, ip)).toMatchObject([
        { source: "customer", accountId: shop.accountId, clearedAt: null },
      ]);

      const refused = await expectTrpcError(startCallFrom(h, shop, ip));
      expect(refused.data?.appCode).toBe("IP_BLOCKED");
      expect(await callsFrom(h, ip)).toHaveLength(1);
      // Another account's button still takes calls from the same IP.
      expect((await startCallFrom(h, other, ip)).transport).toBe("webrtc");
      expect(await eventKindsOf(h, ip)).toEqual(["ip_blocked_by_customer", "call_refused_blocked_ip"]);

      // Listed for the owner, not for the other account.
      expect((await shop.client.trpc.abuse.listBlocks.query()).map((b) => b.ip)).toContain(ip);
      expect((await other.client.trpc.abuse.listBlocks.query()).map((b) => b.ip)).not.toContain(ip);

      // Blocking again changes nothing.
      const again = await shop.client.trpc.abuse.blockIp.mutate({ ip });
      expect(again).toMatchObject({ id: block.id, created: false });
      expect(await flagsOf(h, ip)).toHaveLength(1);

      // Unblocked: the IP may call the owner again.
      expect(await shop.client.trpc.abuse.unblockIp.mutate({ ip })).toEqual({ cleared: 1 });
      expect((await shop.client.trpc.abuse.listBlocks.query()).map((b) => b.ip)).not.toContain(ip);
      expect((await startCallFrom(h, shop, ip)).transport).toBe("webrtc");
    });

    it("blocks by a typed IP in any spelling, and refuses what is not an IP with a field error", async () => {
      const block = await shop.client.trpc.abuse.blockIp.mutate({ ip: " 2001:DB8:0:0::0a1 " });
      // An IPv6 address is blocked with its /64, which the block shows.
      expect(block.ip).toBe("2001:db8::/64");
      const bad = await expectTrpcError(shop.client.trpc.abuse.blockIp.mutate({ ip: "300.1.2.3" }));
      expect(bad.data?.httpStatus).toBe(400);
      expect(bad.data?.fieldErrors?.ip?.[0]).toMatch(/like 203\.0\.113\.7 \(IPv4\)/);
      const neither = await expectTrpcError(shop.client.trpc.abuse.blockIp.mutate({}));
      expect(neither.data?.fieldErrors?.ip?.[0]).toMatch(/choose a call or enter an IP/i);
    });

    it("cannot block through another account's call", async () => {
      const ip = freshIp();
      const call = await startCallFrom(h, other, ip);
      const error = await expectTrpcError(shop.client.trpc.abuse.blockIp.mutate({ callId: call.sessionId }));
      expect(error.data?.code).toBe("NOT_FOUND");
      expect(await flagsOf(h, ip)).toHaveLength(0);
    });
  });

  describe("operators", () => {
    it("every operator procedure refuses a customer with FORBIDDEN", async () => {
      const calls = [
        () => shop.client.trpc.abuse.flags.query({}),
        () => shop.client.trpc.abuse.clearFlag.mutate({ id: "00000000-0000-4000-8000-000000000000" }),
        () => shop.client.trpc.abuse.addBlock.mutate({ ip: "192.0.2.250", reason: "no" }),
        () => shop.client.trpc.abuse.events.query({}),
      ];
      for (const call of calls) {
        const error = await expectTrpcError(call());
        expect(error.data?.code).toBe("FORBIDDEN");
      }
      expect(await flagsOf(h, "192.0.2.250")).toHaveLength(0);
    });

    it("list an automatic flag, clear it, and the IP may call again", async () => {
      const ip = freshIp();
      await seedCalls(h, shop, ip, 3);
      expect((await expectTrpcError(startCallFrom(h, shop, ip))).data?.appCode).toBe("IP_BLOCKED");

      const active = await operator.trpc.abuse.flags.query({ status: "active", ip });
      expect(active.total).toBe(1);
      const [flag] = active.items;
      expect(flag).toMatchObject({ ip, source: "auto", status: "active", account: null });

      const cleared = await operator.trpc.abuse.clearFlag.mutate({ id: flag!.id });
      expect(cleared.alreadyCleared).toBe(false);
      expect((await operator.trpc.abuse.clearFlag.mutate({ id: flag!.id })).alreadyCleared).toBe(true);
      expect((await operator.trpc.abuse.flags.query({ status: "active", ip })).total).toBe(0);
      expect((await operator.trpc.abuse.flags.query({ status: "cleared", ip })).items).toMatchObject([
        { id: flag!.id, status: "cleared" },
      ]);

      // The calls that led to the flag no longer count: the IP calls again.
      expect((await startCallFrom(h, shop, ip)).transport).toBe("webrtc");

      const missing = await expectTrpcError(
        operator.trpc.abuse.clearFlag.mutate({ id: "00000000-0000-4000-8000-000000000000" }),
      );
      expect(missing.data?.code).toBe("NOT_FOUND");
    });

    it("add a manual block, with an expiry; a second block of the same IP is a field error", async () => {
      const ip = freshIp();
      const bad = await expectTrpcError(
        operator.trpc.abuse.addBlock.mutate({ ip: "not-an-ip", reason: "x" }),
      );
      expect(bad.data?.httpStatus).toBe(400);
      expect(bad.data?.fieldErrors?.ip?.[0]).toMatch(/2001:db8::1 \(IPv6\)/);
      const noReason = await expectTrpcError(operator.trpc.abuse.addBlock.mutate({ ip, reason: " " }));
      expect(noReason.data?.fieldErrors?.reason?.[0]).toMatch(/say why/i);

      const { id } = await operator.trpc.abuse.addBlock.mutate({
        ip,
        reason: "Card testing",
        expiresInHours: 48,
      });
      const [row] = await flagsOf(h, ip);
      expect(row).toMatchObject({ id, source: "operator", accountId: null, reason: "Card testing" });
      expect(row!.expiresAt!.getTime() - h.clock.now().getTime()).toBe(48 * 3_600_000);
      expect((await expectTrpcError(startCallFrom(h, other, ip))).data?.appCode).toBe("IP_BLOCKED");

      const twice = await expectTrpcError(operator.trpc.abuse.addBlock.mutate({ ip, reason: "again" }));
      expect(twice.data?.fieldErrors?.ip?.[0]).toMatch(/already blocked/);
      expect(await flagsOf(h, ip)).toHaveLength(1);
    });

    it("flags page by page, filtered by status and by the start of an address", async () => {
      const base = `203.0.113.${100 + next}`;
      next += 1;
      await h.db.db.insert(abuseFlags).values(
        Array.from({ length: 5 }, (_, i) => ({
          ip: `${base}${i}`,
          reason: `seeded ${i}`,
          source: "operator" as const,
          createdAt: new Date(h.clock.now().getTime() - i * 1000),
        })),
      );
      const first = await operator.trpc.abuse.flags.query({ ip: base, pageSize: 2, page: 1 });
      expect(first.total).toBe(5);
      expect(first.items.map((f) => f.reason)).toEqual(["seeded 0", "seeded 1"]);
      const last = await operator.trpc.abuse.flags.query({ ip: base, pageSize: 2, page: 3 });
      expect(last.items.map((f) => f.reason)).toEqual(["seeded 4"]);
      // A customer's block shows with its account.
      const customerIp = freshIp();
      await shop.client.trpc.abuse.blockIp.mutate({ ip: customerIp });
      const listed = await operator.trpc.abuse.flags.query({ status: "all", ip: customerIp });
      expect(listed.items[0]).toMatchObject({ source: "customer", account: { id: shop.accountId } });
      const wrong = await expectTrpcError(operator.trpc.abuse.flags.query({ ip: "20%" }));
      expect(wrong.data?.fieldErrors?.ip?.[0]).toMatch(/digits, dots and colons/);
    });

    it("security events of an IP, newest first, page by page", async () => {
      const ip = freshIp();
      await operator.trpc.abuse.addBlock.mutate({ ip, reason: "Watch" });
      // Refusals within one minute share a row with their count; a minute later, a new row.
      for (let minute = 0; minute < 2; minute++) {
        h.clock.advance(60_000);
        for (let i = 0; i < 2 + minute; i++) await expectTrpcError(startCallFrom(h, shop, ip));
      }
      const page1 = await operator.trpc.abuse.events.query({ ip, pageSize: 2 });
      expect(page1.items.map((e) => e.kind)).toEqual(["call_refused_blocked_ip", "call_refused_blocked_ip"]);
      expect(page1.items.map((e) => e.count)).toEqual([3, 2]);
      expect(page1.items[0]!.account).toMatchObject({ id: shop.accountId });
      expect(page1.hasMore).toBe(true);
      const page2 = await operator.trpc.abuse.events.query({ ip, pageSize: 2, page: 2 });
      expect(page2.items.map((e) => e.kind)).toEqual(["ip_blocked_by_operator"]);
      expect(page2.hasMore).toBe(false);
      const bad = await expectTrpcError(operator.trpc.abuse.events.query({ ip: "1.2.3" }));
      expect(bad.data?.fieldErrors?.ip?.[0]).toMatch(/Enter an IP address/);
    });

    it("account.me tells the portal who is an operator", async () => {
      expect((await operator.trpc.account.me.query())?.isOperator).toBe(true);
      expect((await shop.client.trpc.account.me.query())?.isOperator).toBe(false);
    });
  });
});
