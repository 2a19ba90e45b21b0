import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLimiter } from "../src/adapters/limiter";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { HARNESS_TIMEOUT_MS, signupVerified, startHarness, unique } from "./harness";
import { eventually, type LocalRedis, startLocalRedis } from "./redis-server";

describe("limiter when its Redis goes away and comes back", () => {
  let redis: LocalRedis;
  beforeAll(async () => {
    // A redis-server of this test's own, on its own port, which the test kills and restarts.
    redis = await startLocalRedis();
  }, 60_000);
  afterAll(() => redis?.stop());

  it("counts in Redis, falls back to in-process counts with a warning while Redis is down, and returns to Redis", async () => {
    const logged: Array<{ level: number; msg: string }> = [];
    const log = pino(
      { level: "warn" },
      {
        write: (line: string) => {
          logged.push(JSON.parse(line));
        },
      },
    );
    const prefix = unique("cac-outage");
    const limiter = createLimiter({ redisUrl: redis.url, log, keyPrefix: prefix });
    const probe = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 200 });
    probe.on("error", () => {});
    const policy = { points: 3, durationSeconds: 60 };
    try {
      expect(limiter.mode).toBe("redis");
      // Up: counted in Redis.
      const before = unique("before");
      expect(await limiter.consume("test.outage", policy, before)).toEqual({ allowed: true });
      await probe.connect();
      expect(await probe.get(`${prefix}:test.outage:${before}`)).toBe("1");

      // Down: every call still answers, counted in this process, refusing past the limit.
      await redis.stop();
      const during = unique("during");
      const results = [];
      for (let i = 0; i < policy.points + 1; i++) {
        results.push((await limiter.consume("test.outage", policy, during)).allowed);
      }
      expect(results).toEqual([true, true, true, false]);
      await eventually(async () => logged.some((l) => l.level === 40 && /counting in memory/.test(l.msg)));

      // Back: counts go to Redis again once the client has reconnected.
      await redis.start();
      const after = unique("after");
      await eventually(async () => {
        await limiter.consume("test.outage", policy, after);
        try {
          return (await probe.get(`${prefix}:test.outage:${after}`)) !== null;
        } catch {
          return false;
        }
      });
      const counted = Number(await probe.get(`${prefix}:test.outage:${after}`));
      await limiter.consume("test.outage", policy, after);
      expect(Number(await probe.get(`${prefix}:test.outage:${after}`))).toBe(counted + 1);
    } finally {
      probe.disconnect();
      await limiter.close();
    }
  }, 60_000);

  it("consumeInOrder is one command to Redis, and keeps its order in memory while Redis is down", async () => {
    const log = pino({ level: "silent" });
    const limiter = createLimiter({ redisUrl: redis.url, log, keyPrefix: unique("cac-outage-order") });
    const probe = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 200 });
    probe.on("error", () => {});
    const ipPolicy = { points: 2, durationSeconds: 60 };
    const buttonPolicy = { points: 3, durationSeconds: 600 };
    const steps = (ip: string, button: string) => [
      { policyName: "test.order.ip", policy: ipPolicy, key: ip },
      { policyName: "test.order.button", policy: buttonPolicy, key: button },
    ];
    try {
      await probe.connect();
      // Up: after a first call (which may load the script), each ordered consume is one command.
      await limiter.consumeInOrder(steps(unique("warm"), unique("warm")));
      await probe.config("RESETSTAT");
      for (let i = 0; i < 3; i++) await limiter.consumeInOrder(steps(unique("ip"), unique("button")));
      const stats = await probe.info("commandstats");
      expect(stats).toMatch(/cmdstat_evalsha:calls=3,/);
      expect(stats).not.toMatch(/cmdstat_eval:/);

      // Down: counted in memory, in order; a refused IP spends nothing of the button's budget.
      await redis.stop();
      const ip = unique("during");
      const button = unique("during");
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await limiter.consumeInOrder(steps(ip, button)));
      expect(results.map((r) => (r.allowed ? "allowed" : `refused at ${r.step}`))).toEqual([
        "allowed",
        "allowed",
        "refused at 0",
        "refused at 0",
      ]);
      expect(await limiter.consumeInOrder(steps(unique("other"), button))).toEqual({ allowed: true });
      expect(await limiter.consumeInOrder(steps(unique("other"), button))).toMatchObject({
        allowed: false,
        step: 1,
      });
    } finally {
      probe.disconnect();
      await limiter.close();
      await redis.start();
    }
  }, 60_000);

  it(
    "the server keeps answering while Redis is down, still enforcing the limits, and after it is back",
    async () => {
      const h = await startHarness({
        env: { REDIS_URL: redis.url },
        limits: { "config.ip": { points: 3, durationSeconds: 60 } },
      });
      try {
        const owner = (await signupVerified(h)).client;
        const { publicId } = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
        const get = (ip: string) =>
          fetch(`${h.url}/widget/config/${publicId}`, {
            headers: { origin: "https://shop.test", "x-forwarded-for": ip },
          }).then((res) => res.status);

        await redis.stop();
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push(await get("198.51.100.90"));
        expect(statuses).toEqual([200, 200, 200, 429]);
        expect((await fetch(`${h.url}/healthz`)).status).toBeLessThan(500);

        await redis.start();
        expect(await get("198.51.100.91")).toBe(200);
      } finally {
        await h.close();
      }
    },
    HARNESS_TIMEOUT_MS,
  );
});
