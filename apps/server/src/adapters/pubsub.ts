import { EventEmitter } from "node:events";
import type { Logger, PubSub } from "@cac/trpc";
import { connectRedis, whenReady } from "./redis-client";

/** How long a publish or subscribe waits for a connection being (re)made before it fails. */
const CONNECT_WAIT_MS = 400;
/** A command Redis has not answered by then fails (a hung server, a dropped network). */
const COMMAND_TIMEOUT_MS = 500;

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
    async check() {},
    async close() {
      emitter.removeAllListeners();
    },
  };
}

/**
 * Redis fan-out shared by every server instance: one connection publishes, one listens (a Redis
 * connection in subscriber mode can do nothing else). While Redis is down, publish and subscribe
 * fail within about a second: no offline queue (a queued ring would reach agents long after the
 * caller was told the call failed), a short wait for a reconnect, and a command timeout.
 */
export function createRedisPubSub(url: string, log: Logger, keyPrefix = "cac"): PubSub {
  const options = { enableOfflineQueue: false, commandTimeout: COMMAND_TIMEOUT_MS, maxRetriesPerRequest: 1 };
  const publisher = connectRedis(url, options);
  const subscriber = connectRedis(url, options);
  const ready = (client: typeof publisher) => whenReady(client, CONNECT_WAIT_MS);
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
      await ready(publisher);
      await publisher.publish(key(channel), JSON.stringify(message));
    },
    async subscribe(channel, onMessage) {
      const k = key(channel);
      if (!handlers.has(k)) await ready(subscriber);
      let set = handlers.get(k);
      if (!set) {
        set = new Set();
        handlers.set(k, set);
        try {
          await subscriber.subscribe(k);
        } catch (error) {
          handlers.delete(k);
          throw error;
        }
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
    async check() {
      await Promise.all([ready(publisher), ready(subscriber)]);
      await publisher.ping();
    },
    async close() {
      handlers.clear();
      // QUIT cannot be sent while Redis is down; then drop the connection (and its reconnects).
      await Promise.all(
        [publisher, subscriber].map((client) => client.quit().catch(() => client.disconnect())),
      );
    },
  };
}
