import type { Logger, Presence } from "@cac/core";
import { connectRedis, luaScript, whenReady } from "./redis-client";

/**
 * How long an agent not heard from stays known. Far past the presence window (45 s) and the copy
 * period (60 s): after it, the database's copy answers for them.
 */
const RETAIN_MS = 10 * 60_000;
/** Keys per Redis command: a batch of thousands of agents goes in a few round trips. */
const BATCH = 1000;
const CONNECT_WAIT_MS = 400;
const COMMAND_TIMEOUT_MS = 500;

type Known = { seenAt: number; copiedAt: number | null; touched: number };

/** In this process: enough for one server instance (the default). */
export function createMemoryPresence(): Presence {
  const agents = new Map<string, Known>();
  // Agents gone for a while are forgotten (by real time: tests move their clocks freely).
  const forget = setInterval(() => {
    const before = Date.now() - RETAIN_MS;
    for (const [id, known] of agents) if (known.touched < before) agents.delete(id);
  }, RETAIN_MS / 4);
  forget.unref();
  return {
    mode: "memory",
    async beat(userIds, at) {
      const seenAt = at.getTime();
      const touched = Date.now();
      for (const id of userIds) {
        const known = agents.get(id);
        if (known) {
          known.seenAt = Math.max(known.seenAt, seenAt);
          known.touched = touched;
        } else agents.set(id, { seenAt, copiedAt: null, touched });
      }
    },
    async lastSeen(userIds) {
      return userIds.map((id) => {
        const known = agents.get(id);
        return known ? new Date(known.seenAt) : null;
      });
    },
    async claimCopies(userIds, at, everyMs) {
      const now = at.getTime();
      return userIds.filter((id) => {
        const known = agents.get(id);
        if (!known || (known.copiedAt !== null && now - known.copiedAt < everyMs)) return false;
        known.copiedAt = now;
        return true;
      });
    },
    async close() {
      clearInterval(forget);
      agents.clear();
    },
  };
}

/** Sets every key to ARGV[1] (a time in ms) unless it holds a later one, each for ARGV[2] ms. */
const beatScript = luaScript(`
for i = 1, #KEYS do
  local held = tonumber(redis.call('GET', KEYS[i]))
  if not held or held < tonumber(ARGV[1]) then
    redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2])
  else
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
  end
end
return 0
`);

/**
 * Claims the keys whose last copy (the time each holds) is ARGV[2] ms or more before ARGV[1]:
 * sets them to ARGV[1] and returns their 1-based indexes. Atomic, so one instance claims each.
 */
const claimScript = luaScript(`
local claimed = {}
for i = 1, #KEYS do
  local copied = tonumber(redis.call('GET', KEYS[i]))
  if not copied or tonumber(ARGV[1]) - copied >= tonumber(ARGV[2]) then
    redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[3])
    claimed[#claimed + 1] = i
  end
end
return claimed
`);

/**
 * In Redis, shared by every instance: an agent's panel may reconnect to any of them, and a call
 * may start on any. This instance also keeps its own record, which answers while Redis cannot
 * (its heartbeats only, and copies claimed per instance): presence degrades, calls still start.
 */
export function createRedisPresence(url: string, log: Logger, keyPrefix = "cac"): Presence {
  const redis = connectRedis(url, {
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
  });
  redis.on("error", (error) => log.warn({ err: error }, "redis presence connection error"));
  const local = createMemoryPresence();
  const seenKey = (id: string) => `${keyPrefix}:presence:seen:${id}`;
  const copiedKey = (id: string) => `${keyPrefix}:presence:copied:${id}`;
  /** Runs `command` on each batch of ids, once connected; what it answers, in order. */
  const batched = async <T>(ids: readonly string[], command: (batch: string[]) => Promise<T[]>) => {
    if (ids.length === 0) return [];
    await whenReady(redis, CONNECT_WAIT_MS);
    const results: T[] = [];
    for (let i = 0; i < ids.length; i += BATCH) results.push(...(await command(ids.slice(i, i + BATCH))));
    return results;
  };
  return {
    mode: "redis",
    async beat(userIds, at) {
      await local.beat(userIds, at);
      try {
        await batched(userIds, async (batch) => {
          await beatScript(redis, batch.map(seenKey), [at.getTime(), RETAIN_MS]);
          return [];
        });
      } catch (error) {
        log.warn(
          { err: error, agents: userIds.length },
          "redis unreachable: heartbeats kept on this instance only",
        );
      }
    },
    async lastSeen(userIds) {
      // This instance's own heartbeats count too: one Redis missed in an outage is still known.
      const mine = await local.lastSeen(userIds);
      let held: Array<string | null> = [];
      try {
        held = await batched(userIds, (batch) => redis.mget(batch.map(seenKey)));
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: presence read from this instance's heartbeats");
      }
      return userIds.map((_, i) => {
        const shared = held[i] ? Number(held[i]) : 0;
        const own = mine[i]?.getTime() ?? 0;
        return shared || own ? new Date(Math.max(shared, own)) : null;
      });
    },
    async claimCopies(userIds, at, everyMs) {
      try {
        const claimed = await batched(userIds, async (batch) => {
          const indexes = (await claimScript(redis, batch.map(copiedKey), [
            at.getTime(),
            everyMs,
            RETAIN_MS,
          ])) as number[];
          return indexes.map((index) => batch[index - 1] ?? "");
        });
        return claimed.filter(Boolean);
      } catch (error) {
        log.warn({ err: error }, "redis unreachable: heartbeat copies claimed by this instance alone");
        return local.claimCopies(userIds, at, everyMs);
      }
    },
    async close() {
      await local.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
