import type { Limiter, LimitPolicy, Logger } from "@cac/core";
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { connectRedis } from "./redis-client";

const FIRST_CONNECTION_WAIT_MS = 2000;

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
  const limiters = new Map<string, RateLimiterAbstract>();

  function get(name: string, policy: LimitPolicy): RateLimiterAbstract {
    const id = `${name}:${policy.points}:${policy.durationSeconds}`;
    let limiter = limiters.get(id);
    if (!limiter) {
      const base = {
        keyPrefix: `${prefix}:${name}`,
        points: policy.points,
        duration: policy.durationSeconds,
      };
      const memory = new RateLimiterMemory(base);
      limiter = redis
        ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory })
        : memory;
      limiters.set(id, limiter);
    }
    return limiter;
  }

  return {
    mode: redis ? "redis" : "memory",
    async consume(name, policy, key) {
      if (firstConnection) await firstConnection;
      try {
        await get(name, policy).consume(key);
        return { allowed: true };
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          return {
            allowed: false,
            retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)),
            consumed: error.consumedPoints,
          };
        }
        throw error;
      }
    },
    async reset(name, policy, key) {
      if (firstConnection) await firstConnection;
      await get(name, policy).delete(key);
    },
    async close() {
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}
