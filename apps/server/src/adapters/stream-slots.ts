import { randomUUID } from "node:crypto";
import type { Logger } from "@cac/core";
import { connectRedis, luaScript, whenReady } from "./redis-client";

/** One counted thing, e.g. a client IP, and how many streams it may hold. */
export type SlotKey = { key: string; limit: number };
/** A stream's slots, given back once when the stream closes. */
export type Slot = { release(): void };

/**
 * Counts the live streams held under keys (per IP, per session), so an instance (or, with Redis,
 * the cluster) refuses streams past a limit instead of running out of memory or sockets.
 */
export interface StreamSlots {
  readonly mode: "memory" | "redis";
  /** A slot under every key, or the first key that is full (and none taken). */
  acquire(keys: SlotKey[]): Promise<Slot | { full: string }>;
  close(): Promise<void>;
}

/** Counts in this process: the limits hold per instance. */
export function createMemorySlots(): StreamSlots & { count(key: string): number } {
  const counts = new Map<string, number>();
  return {
    mode: "memory",
    count: (key) => counts.get(key) ?? 0,
    async acquire(keys) {
      const full = keys.find(({ key, limit }) => (counts.get(key) ?? 0) >= limit);
      if (full) return { full: full.key };
      for (const { key } of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          for (const { key } of keys) {
            const left = (counts.get(key) ?? 1) - 1;
            if (left > 0) counts.set(key, left);
            else counts.delete(key);
          }
        },
      };
    },
    async close() {
      counts.clear();
    },
  };
}

/**
 * A slot in Redis is a member of a sorted set per key, scored with when its lease ends. The
 * instance holding the stream renews its leases; a crashed instance's slots lapse within a lease.
 */
const LEASE_MS = 60_000;
const RENEW_BATCH = 500;
const CONNECT_WAIT_MS = 400;
const COMMAND_TIMEOUT_MS = 500;

/** Drops lapsed slots, refuses (the 1-based index of the full key) or takes a slot under every key. */
const acquireScript = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now)
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[2 + i]) then return i end
end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now + lease, ARGV[2])
  redis.call('PEXPIRE', KEYS[i], lease)
end
return 0
`);

/** Renews the leases of slots still held: KEYS[i] holds the member ARGV[i + 1]. */
const renewScript = luaScript(`
local t = redis.call('TIME')
local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', until_ms, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], ARGV[1])
end
return 0
`);

/**
 * Counts across every instance in Redis, and in this process too: this instance's own limit holds
 * while Redis is unreachable (its count is then not shared, but nothing is refused for the outage).
 */
export function createRedisSlots(
  url: string,
  log: Logger,
  keyPrefix = "cac",
  leaseMs = LEASE_MS,
): StreamSlots {
  const redis = connectRedis(url, {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  redis.on("error", (error) => log.warn({ err: error }, "redis stream slots connection error"));
  const local = createMemorySlots();
  const instance = randomUUID();
  let next = 0;
  /** Redis key -> members this instance holds under it. */
  const held = new Map<string, Set<string>>();
  const key = (name: string) => `${keyPrefix}:streams:${name}`;

  const renew = async () => {
    const pairs = [...held].flatMap(([k, members]) => [...members].map((member) => [k, member] as const));
    for (let i = 0; i < pairs.length; i += RENEW_BATCH) {
      const batch = pairs.slice(i, i + RENEW_BATCH);
      await renewScript(
        redis,
        batch.map(([k]) => k),
        [leaseMs, ...batch.map(([, member]) => member)],
      );
    }
  };
  const timer = setInterval(() => {
    renew().catch((error) => log.warn({ err: error }, "could not renew live stream slots in Redis"));
  }, leaseMs / 3);
  timer.unref();

  return {
    mode: "redis",
    async acquire(keys) {
      const mine = await local.acquire(keys);
      if ("full" in mine) return mine;
      const member = `${instance}:${next++}`;
      const redisKeys = keys.map(({ key: name }) => key(name));
      let refused = 0;
      try {
        await whenReady(redis, CONNECT_WAIT_MS);
        refused = Number(
          await acquireScript(redis, redisKeys, [leaseMs, member, ...keys.map(({ limit }) => limit)]),
        );
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: live streams are counted on this instance only");
        return mine;
      }
      if (refused) {
        mine.release();
        return { full: keys[refused - 1]?.key ?? "" };
      }
      for (const k of redisKeys) {
        const members = held.get(k) ?? new Set<string>();
        members.add(member);
        held.set(k, members);
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          mine.release();
          for (const k of redisKeys) {
            const members = held.get(k);
            members?.delete(member);
            if (members?.size === 0) held.delete(k);
            // A slot not removed now lapses with its lease.
            redis.zrem(k, member).catch(() => {});
          }
        },
      };
    },
    async close() {
      clearInterval(timer);
      held.clear();
      await local.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
