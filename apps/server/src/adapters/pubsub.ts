import { EventEmitter } from "node:events";
import type { Logger, PubSub } from "@cac/trpc";
import { connectRedis } from "./redis-client";

/** In-process fan-out: enough for one server instance. */
export function createMemoryPubSub(): PubSub {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    mode: "memory",
    async publish(channel, message) {
      // A copy, so subscribers see what another instance would see after JSON.
      emitter.emit(channel, JSON.parse(JSON.stringify(message)));
    },
    async subscribe(channel, onMessage) {
      emitter.on(channel, onMessage);
      return async () => {
        emitter.off(channel, onMessage);
      };
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis fan-out shared by every server instance: one connection publishes, one listens (a Redis
 * connection in subscriber mode can do nothing else).
 */
export function createRedisPubSub(url: string, log: Logger, keyPrefix = "cac"): PubSub {
  const publisher = connectRedis(url, { maxRetriesPerRequest: 2 });
  const subscriber = connectRedis(url, { maxRetriesPerRequest: 2 });
  for (const client of [publisher, subscriber]) {
    client.on("error", (error) => log.warn({ err: error }, "redis pubsub connection error"));
  }
  const handlers = new Map<string, Set<(message: unknown) => void>>();
  subscriber.on("message", (channel: string, raw: string) => {
    const set = handlers.get(channel);
    if (!set) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch (error) {
      log.warn({ err: error, channel }, "ignored a malformed pubsub message");
      return;
    }
    for (const handler of set) handler(message);
  });
  const key = (channel: string) => `${keyPrefix}:${channel}`;
  return {
    mode: "redis",
    async publish(channel, message) {
      await publisher.publish(key(channel), JSON.stringify(message));
    },
    async subscribe(channel, onMessage) {
      const k = key(channel);
      let set = handlers.get(k);
      if (!set) {
        set = new Set();
        handlers.set(k, set);
        await subscriber.subscribe(k);
      }
      set.add(onMessage);
      return async () => {
        const current = handlers.get(k);
        if (!current) return;
        current.delete(onMessage);
        if (current.size === 0) {
          handlers.delete(k);
          await subscriber.unsubscribe(k).catch(() => {});
        }
      };
    },
    async close() {
      handlers.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
