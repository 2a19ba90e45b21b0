import { createRequire } from "node:module";
import type { Redis as RedisClient, RedisOptions } from "ioredis";

const require = createRequire(import.meta.url);

/**
 * A Redis connection. The client library is loaded on first use, so a server without REDIS_URL
 * never carries it (about 15 MB of memory); synchronous, so the adapters stay synchronous.
 */
export function connectRedis(url: string, options: RedisOptions): RedisClient {
  const { Redis } = require("ioredis") as typeof import("ioredis");
  return new Redis(url, options);
}
