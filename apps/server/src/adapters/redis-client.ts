import { createHash } from "node:crypto";
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

/**
 * Resolves once the connection is ready, waiting at most `waitMs` for a connection being made or
 * remade (a restart of the process, a blip); rejects after that, so callers fail fast while Redis
 * is down instead of queueing behind the reconnect backoff.
 */
export function whenReady(client: RedisClient, waitMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  if (client.status === "end") return Promise.reject(new Error("the Redis connection is closed"));
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new Error(`Redis is not connected (${client.status})`));
    }, waitMs);
    client.once("ready", onReady);
  });
}

/**
 * A Lua script run atomically on Redis: by its SHA1 (EVALSHA), sent in full only the first time
 * a server has not seen it (NOSCRIPT).
 */
export function luaScript(lua: string) {
  const sha = createHash("sha1").update(lua).digest("hex");
  return async (client: RedisClient, keys: string[], args: Array<string | number>): Promise<unknown> => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return client.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
