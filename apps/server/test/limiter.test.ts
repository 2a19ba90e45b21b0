import type { Limiter } from "@cac/core";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLimiter } from "../src/adapters/limiter";
import { unique } from "./harness";

const log = pino({ level: "silent" });
const modes: Array<"memory" | "redis"> = process.env.REDIS_URL ? ["memory", "redis"] : ["memory"];

describe.each(modes)("limiter (%s)", (mode) => {
  let limiter: Limiter;
  beforeAll(() => {
    // A fresh limiter per suite, with a prefix of its own: parallel suites and reruns never share counts.
    limiter = createLimiter({
      redisUrl: mode === "redis" ? process.env.REDIS_URL : undefined,
      log,
      keyPrefix: unique("cac-limiter-test"),
    });
  });
  afterAll(() => limiter?.close());

  const policy = { points: 3, durationSeconds: 60 };

  it(`reports its mode: ${mode}`, () => {
    expect(limiter.mode).toBe(mode);
  });

  it("allows the policy's points per key, then refuses with a wait", async () => {
    const key = unique("key");
    // The very first calls count too, even on a limiter created a moment ago.
    for (let i = 0; i < policy.points; i++) {
      expect(await limiter.consume("test.count", policy, key)).toEqual({ allowed: true });
    }
    const refused = await limiter.consume("test.count", policy, key);
    expect(refused.allowed).toBe(false);
    if (refused.allowed) return;
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(policy.durationSeconds);
    expect(Number.isInteger(refused.retryAfterSeconds)).toBe(true);
    // Still refused on the next try.
    expect((await limiter.consume("test.count", policy, key)).allowed).toBe(false);
  });

  it("counts right from the first call of a brand-new limiter", async () => {
    const prefix = unique("cac-limiter-fresh");
    const fresh = createLimiter({
      redisUrl: mode === "redis" ? process.env.REDIS_URL : undefined,
      log,
      keyPrefix: prefix,
    });
    try {
      const key = unique("key");
      const results = [];
      for (let i = 0; i < policy.points + 1; i++)
        results.push((await fresh.consume("test.fresh", policy, key)).allowed);
      expect(results).toEqual([true, true, true, false]);
      if (mode === "redis") {
        // Every call was counted in Redis, none in this process's memory only.
        const redis = new Redis(process.env.REDIS_URL!);
        try {
          expect(await redis.get(`${prefix}:test.fresh:${key}`)).toBe(String(policy.points + 1));
        } finally {
          redis.disconnect();
        }
      }
    } finally {
      await fresh.close();
    }
  });

  it("keeps separate keys independent", async () => {
    const a = unique("a");
    const b = unique("b");
    for (let i = 0; i < policy.points; i++) await limiter.consume("test.keys", policy, a);
    expect((await limiter.consume("test.keys", policy, a)).allowed).toBe(false);
    expect(await limiter.consume("test.keys", policy, b)).toEqual({ allowed: true });
  });

  it("keeps separate policies independent for the same key", async () => {
    const key = unique("shared");
    for (let i = 0; i < policy.points; i++) await limiter.consume("test.one", policy, key);
    expect((await limiter.consume("test.one", policy, key)).allowed).toBe(false);
    expect(await limiter.consume("test.two", policy, key)).toEqual({ allowed: true });
  });

  it("reset clears a key's count", async () => {
    const key = unique("reset");
    for (let i = 0; i < policy.points; i++) await limiter.consume("test.reset", policy, key);
    expect((await limiter.consume("test.reset", policy, key)).allowed).toBe(false);
    await limiter.reset("test.reset", policy, key);
    for (let i = 0; i < policy.points; i++) {
      expect(await limiter.consume("test.reset", policy, key)).toEqual({ allowed: true });
    }
    expect((await limiter.consume("test.reset", policy, key)).allowed).toBe(false);
  });

  it("counts the attempts refused past the limit", async () => {
    const key = unique("past");
    const policy = { points: 2, durationSeconds: 60 };
    for (let i = 0; i < 2; i++) await limiter.consume("test.past", policy, key);
    const consumed = [];
    for (let i = 0; i < 3; i++) {
      const result = await limiter.consume("test.past", policy, key);
      consumed.push(result.allowed ? 0 : result.consumed);
    }
    expect(consumed).toEqual([3, 4, 5]);
  });

  it("consumeInOrder counts each step in order and stops at the first refusal", async () => {
    const ipPolicy = { points: 2, durationSeconds: 60 };
    const buttonPolicy = { points: 3, durationSeconds: 600 };
    const ip = unique("ip");
    const button = unique("button");
    const steps = [
      { policyName: "test.order.ip", policy: ipPolicy, key: ip },
      { policyName: "test.order.button", policy: buttonPolicy, key: button },
    ];
    expect(await limiter.consumeInOrder(steps)).toEqual({ allowed: true });
    expect(await limiter.consumeInOrder(steps)).toEqual({ allowed: true });
    // The IP is refused: counted past its limit, and the button's budget not touched.
    const refused = await limiter.consumeInOrder(steps);
    expect(refused).toMatchObject({ allowed: false, step: 0, consumed: 3 });
    if (refused.allowed) return;
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(ipPolicy.durationSeconds);
    expect(await limiter.consumeInOrder(steps)).toMatchObject({ allowed: false, step: 0, consumed: 4 });
    // The button spent 2 of its 3 points: one more passes, then its own limit refuses.
    expect(await limiter.consume("test.order.button", buttonPolicy, button)).toEqual({ allowed: true });
    const other = unique("ip");
    const byButton = await limiter.consumeInOrder([{ ...steps[0]!, key: other }, steps[1]!]);
    expect(byButton).toMatchObject({ allowed: false, step: 1, consumed: 4 });
    if (byButton.allowed) return;
    expect(byButton.retryAfterSeconds).toBeGreaterThan(ipPolicy.durationSeconds);
    expect(byButton.retryAfterSeconds).toBeLessThanOrEqual(buttonPolicy.durationSeconds);
    // The other IP's attempt was counted before the button refused it.
    expect(await limiter.consume("test.order.ip", ipPolicy, other)).toEqual({ allowed: true });
    expect((await limiter.consume("test.order.ip", ipPolicy, other)).allowed).toBe(false);
  });

  it("consumeInOrder and consume share their counts, and reset clears them", async () => {
    const key = unique("shared");
    const step = { policyName: "test.order.shared", policy, key };
    await limiter.consume(step.policyName, policy, key);
    await limiter.consumeInOrder([step]);
    await limiter.consume(step.policyName, policy, key);
    expect(await limiter.consumeInOrder([step])).toMatchObject({ allowed: false, step: 0, consumed: 4 });
    await limiter.reset(step.policyName, policy, key);
    expect(await limiter.consumeInOrder([step])).toEqual({ allowed: true });
  });

  it("lets a key in again once its window has passed", async () => {
    const short = { points: 1, durationSeconds: 1 };
    const key = unique("window");
    expect((await limiter.consume("test.window", short, key)).allowed).toBe(true);
    const refused = await limiter.consume("test.window", short, key);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1, consumed: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await limiter.consume("test.window", short, key)).allowed).toBe(true);
  });
});

describe.runIf(process.env.REDIS_URL)("limiter (redis) shared by two server instances", () => {
  it("counts one key across both instances", async () => {
    const prefix = unique("cac-limiter-shared");
    const first = createLimiter({ redisUrl: process.env.REDIS_URL, log, keyPrefix: prefix });
    const second = createLimiter({ redisUrl: process.env.REDIS_URL, log, keyPrefix: prefix });
    try {
      const policy = { points: 4, durationSeconds: 60 };
      const key = unique("key");
      const results = [];
      for (let i = 0; i < 5; i++) {
        results.push((await (i % 2 ? second : first).consume("test.shared", policy, key)).allowed);
      }
      expect(results).toEqual([true, true, true, true, false]);
    } finally {
      await first.close();
      await second.close();
    }
  });
});

describe("limiter with Redis unreachable", () => {
  it("keeps counting in memory: it neither fails open nor throws", async () => {
    // Nothing listens on port 1: the limiter waits briefly for a first connection, then insures.
    const limiter = createLimiter({
      redisUrl: "redis://127.0.0.1:1",
      log,
      keyPrefix: unique("cac-limiter-down"),
    });
    try {
      const policy = { points: 2, durationSeconds: 60 };
      const key = unique("key");
      const results = [];
      for (let i = 0; i < 3; i++) results.push((await limiter.consume("test.down", policy, key)).allowed);
      expect(results).toEqual([true, true, false]);
      await limiter.reset("test.down", policy, key);
      expect((await limiter.consume("test.down", policy, key)).allowed).toBe(true);
    } finally {
      await limiter.close();
    }
  });
});
