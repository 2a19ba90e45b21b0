import type { Limiter, LimitPolicy, LimitResult, LimitStep, Logger, OrderedLimitResult } from "@cac/core";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { connectRedis, luaScript } from "./redis-client";

const FIRST_CONNECTION_WAIT_MS = 2000;

/**
 * Counts one attempt on each key in turn, exactly as rate-limiter-flexible counts one (the same
 * key, the same window set on its first attempt), and stops after the first key past its points:
 * the keys after a refusal are not counted. KEYS[i] is a limit's key, ARGV[2i-1] its points and
 * ARGV[2i] its window in seconds. Answers the count and the milliseconds left of each key counted.
 */
const consumeInOrderScript = luaScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local seconds = tonumber(ARGV[2 * i])
  redis.call('set', key, 0, 'EX', seconds, 'NX')
  local consumed = redis.call('incrby', key, 1)
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, seconds)
    ttl = 1000 * seconds
  end
  out[#out + 1] = consumed
  out[#out + 1] = ttl
  if consumed > tonumber(ARGV[2 * i - 1]) then break end
end
return out
`);

type Counter = {
  /** Counts where the limiter counts: Redis (insured by an in-process limiter) when configured, else memory. */
  store: RateLimiterAbstract;
  /** The Redis store's key of a limit key (the one `consume` counts), when the store is Redis. */
  redisKey: ((key: string) => string) | undefined;
};

function refusal(msBeforeNext: number, consumed: number): Extract<LimitResult, { allowed: false }> {
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(msBeforeNext / 1000)), consumed };
}

/** rate-limiter-flexible's consume as a result: it rejects with a RateLimiterRes on a refusal. */
async function consumeOne(limiter: RateLimiterAbstract, key: string): Promise<LimitResult> {
  try {
    await limiter.consume(key);
    return { allowed: true };
  } catch (error) {
    if (error instanceof RateLimiterRes) return refusal(error.msBeforeNext, error.consumedPoints);
    throw error;
  }
}

/**
 * rate-limiter-flexible behind the limiter port. With Redis, an in-process limiter is the
 * insurance: when Redis is unreachable the counts continue in memory instead of failing open
 * or taking the site down.
 */
export function createLimiter(options: {
  redisUrl?: string | undefined;
  log: Logger;
  /** Prefix of every key (default `cac`); tests pass a unique one so runs sharing a Redis never collide. */
  keyPrefix?: string | undefined;
}): Limiter {
  const prefix = options.keyPrefix ?? "cac";
  const redis = options.redisUrl
    ? connectRedis(options.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        lazyConnect: false,
      })
    : undefined;
  redis?.on("error", (error) =>
    options.log.warn({ err: error }, "redis limiter unreachable; counting in memory"),
  );
  // Without an offline queue, calls made before the first connection would all go to the
  // in-memory insurance, so a fresh process would count apart from the others. Wait for the
  // first connection (bounded), then fall back to memory only while Redis is really down.
  let firstConnection: Promise<void> | undefined = redis
    ? new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          redis.off("ready", done);
          redis.off("end", done);
          resolve();
        };
        const timer = setTimeout(done, FIRST_CONNECTION_WAIT_MS);
        redis.once("ready", done);
        redis.once("end", done);
      }).then(() => {
        firstConnection = undefined;
      })
    : undefined;
  const counters = new Map<string, Counter>();

  function get(name: string, policy: LimitPolicy): Counter {
    const id = `${name}:${policy.points}:${policy.durationSeconds}`;
    let counter = counters.get(id);
    if (!counter) {
      const base = {
        keyPrefix: `${prefix}:${name}`,
        points: policy.points,
        duration: policy.durationSeconds,
      };
      const memory = new RateLimiterMemory(base);
      if (redis) {
        const store = new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory });
        counter = { store, redisKey: (key) => store.getKey(key) };
      } else {
        counter = { store: memory, redisKey: undefined };
      }
      counters.set(id, counter);
    }
    return counter;
  }

  /**
   * All the steps in one script on Redis. Null when that cannot be: no Redis, a window under a
   * second (rate-limiter-flexible keeps those without expiry), or Redis did not answer.
   */
  async function inOrderOnRedis(steps: readonly LimitStep[], stepCounters: Counter[]) {
    // Down: skip the attempt; each store's insurance counts.
    if (redis?.status !== "ready") return null;
    const keys: string[] = [];
    const args: number[] = [];
    for (const [i, step] of steps.entries()) {
      const redisKey = stepCounters[i]?.redisKey;
      if (!redisKey || step.policy.durationSeconds < 1) return null;
      keys.push(redisKey(step.key));
      args.push(step.policy.points, step.policy.durationSeconds);
    }
    try {
      return (await consumeInOrderScript(redis, keys, args)) as number[];
    } catch (error) {
      // Unreachable Redis is logged by the client's error handler; an error Redis answered is ours.
      if (error instanceof Error && error.name === "ReplyError") {
        options.log.error({ err: error }, "redis limiter script failed; counting step by step");
      }
      return null;
    }
  }

  return {
    mode: redis ? "redis" : "memory",
    async consume(name, policy, key) {
      if (firstConnection) await firstConnection;
      return consumeOne(get(name, policy).store, key);
    },
    async consumeInOrder(steps): Promise<OrderedLimitResult> {
      if (firstConnection) await firstConnection;
      const stepCounters = steps.map((step) => get(step.policyName, step.policy));
      const reply = await inOrderOnRedis(steps, stepCounters);
      if (reply) {
        for (let step = 0; 2 * step + 1 < reply.length; step++) {
          const consumed = Number(reply[2 * step]);
          if (consumed > (steps[step]?.policy.points ?? 0)) {
            return { ...refusal(Number(reply[2 * step + 1]), consumed), step };
          }
        }
        return { allowed: true };
      }
      // One step at a time: in memory, or through each store's own insurance while Redis is down.
      for (const [step, counter] of stepCounters.entries()) {
        const result = await consumeOne(counter.store, steps[step]?.key ?? "");
        if (!result.allowed) return { ...result, step };
      }
      return { allowed: true };
    },
    async reset(name, policy, key) {
      if (firstConnection) await firstConnection;
      await get(name, policy).store.delete(key);
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
