import type { Logger, PublicConfigCache, PublicConfigEntry, PubSub } from "@cac/core";
import { Lru } from "./lru";

/** Where every instance reaches the public configs: Redis or PostgreSQL. Each call may reject. */
export interface SharedConfigStore {
  readonly mode: "redis" | "postgres";
  read(publicId: string): Promise<PublicConfigEntry | undefined>;
  write(publicId: string, entry: PublicConfigEntry): Promise<void>;
  remove(publicIds: string[]): Promise<void>;
  /** Removes the entries of these buttons made from another version than the one given. */
  removeOtherVersions(changes: Array<{ publicId: string; version: number }>): Promise<void>;
  close(): Promise<void>;
}

/** The pubsub channel on which an instance tells the others which entries to drop. */
export const FORGET_CHANNEL = "public-config";

/**
 * How long an instance remembers that no live button has an id: unknown ids cost no database
 * work while widgets of a deleted button keep asking, and a button turned on again shows at once
 * through `forget` (or this long after, if that message was lost).
 */
const MISSING_TTL_MS = 60_000;

type Local = PublicConfigEntry | { missingUntil: number };

export type PublicConfigCacheAdapter = PublicConfigCache & {
  /** Listens for other instances' forget messages; retried by `expire` until it succeeds. */
  listen(): Promise<void>;
  close(): Promise<void>;
  /** How many entries this instance holds (tests check the bound). */
  readonly localSize: number;
};

/**
 * The public config cache: a bounded LRU in this instance in front of the shared store, kept
 * consistent across instances by forget messages on the pubsub (every instance drops the entry
 * at once) and the sweep's `expire`. Failures of the shared store or the pubsub are logged and
 * never fail a request: the config is then read from the database.
 */
export function createPublicConfigCache(options: {
  store: SharedConfigStore;
  pubsub: PubSub;
  log: Logger;
  maxEntries: number;
}): PublicConfigCacheAdapter {
  const { store, pubsub, log } = options;
  const local = new Lru<string, Local>(options.maxEntries);
  let unsubscribe: (() => Promise<void>) | undefined;
  let closed = false;

  const warn = (error: unknown, what: string) =>
    log.warn({ err: error, store: store.mode }, `public config cache: ${what} failed`);

  async function listen() {
    if (unsubscribe || closed) return;
    try {
      unsubscribe = await pubsub.subscribe(FORGET_CHANNEL, (event) => {
        const ids = (event.message as { forget?: unknown }).forget;
        if (!Array.isArray(ids)) return;
        for (const id of ids) if (typeof id === "string") local.delete(id);
      });
    } catch (error) {
      warn(error, "listening for changes");
    }
  }

  return {
    mode: store.mode,
    get localSize() {
      return local.size;
    },
    peek(publicId) {
      const held = local.get(publicId);
      if (held === undefined || !("missingUntil" in held)) return held;
      if (Date.now() < held.missingUntil) return null;
      local.delete(publicId);
      return undefined;
    },
    async load(publicId) {
      try {
        const entry = await store.read(publicId);
        if (entry) local.set(publicId, entry);
        return entry;
      } catch (error) {
        warn(error, "reading");
        return undefined;
      }
    },
    async keep(publicId, entry) {
      local.set(publicId, entry ?? { missingUntil: Date.now() + MISSING_TTL_MS });
      if (!entry) return;
      try {
        await store.write(publicId, entry);
      } catch (error) {
        warn(error, "writing");
      }
    },
    async forget(publicIds) {
      if (publicIds.length === 0) return;
      for (const id of publicIds) local.delete(id);
      try {
        await store.remove(publicIds);
      } catch (error) {
        warn(error, "removing");
      }
      try {
        await pubsub.publish(FORGET_CHANNEL, { forget: publicIds });
      } catch (error) {
        warn(error, "telling the other instances");
      }
    },
    async expire(changes) {
      await listen();
      for (const { publicId, version } of changes) {
        const held = local.peek(publicId);
        if (held && ("missingUntil" in held || held.version !== version)) local.delete(publicId);
      }
      if (changes.length === 0) return;
      try {
        await store.removeOtherVersions(changes);
      } catch (error) {
        warn(error, "expiring");
      }
    },
    listen,
    async close() {
      closed = true;
      local.clear();
      await unsubscribe?.().catch(() => {});
      await store.close();
    },
  };
}
