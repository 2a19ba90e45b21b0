import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemorySlots, createRedisSlots } from "../src/adapters/stream-slots";
import { unique } from "./harness";
import { redisForSuite } from "./redis-server";

const silent = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("stream slots in-process", () => {
  it("refuses past a key's limit without taking any slot, and gives them back once", async () => {
    const slots = createMemorySlots();
    const keys = [
      { key: "ip:a", limit: 2 },
      { key: "session:s", limit: 1 },
    ];
    const first = await slots.acquire(keys);
    expect(await slots.acquire(keys)).toEqual({ full: "session:s" });
    // The refused attempt took nothing under the key that still had room.
    expect(slots.count("ip:a")).toBe(1);
    if ("full" in first) throw new Error("refused");
    first.release();
    first.release();
    expect(slots.count("ip:a")).toBe(0);
    expect("release" in (await slots.acquire(keys))).toBe(true);
  });
});

describe("stream slots in Redis", () => {
  let redis: { url: string; stop(): Promise<void> };
  beforeAll(async () => {
    redis = await redisForSuite();
  });
  afterAll(() => redis?.stop());

  it("a stopped instance's slots lapse with their lease; a running one's are renewed", async () => {
    const prefix = unique("cac-lease");
    const keys = [{ key: "session:s", limit: 1 }];
    const leaseMs = 1000;
    const running = createRedisSlots(redis.url, silent, prefix, leaseMs);
    const other = createRedisSlots(redis.url, silent, prefix, leaseMs);
    const held = await running.acquire(keys);
    expect("release" in held).toBe(true);
    // Renewed every third of the lease: still held after two leases.
    await sleep(2 * leaseMs);
    expect(await other.acquire(keys)).toEqual({ full: "session:s" });

    // The instance goes away without giving its slots back (killed): they lapse.
    await running.close();
    expect(await other.acquire(keys)).toEqual({ full: "session:s" });
    await sleep(leaseMs + 200);
    const taken = await other.acquire(keys);
    expect("release" in taken).toBe(true);
    await other.close();
  });
});
