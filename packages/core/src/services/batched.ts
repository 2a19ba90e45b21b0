import type { Db } from "@cac/db";

/** Keys per statement when a batch is large. */
const CHUNK = 500;

type Waiter<V> = { resolve(value: V | undefined): void; reject(error: unknown): void };

/**
 * Work asked for in one turn of the event loop (or within `windowMs`), done together at its end.
 * A burst of requests (thousands of phone panels reconnecting after a restart) then costs a few
 * statements instead of one each; a lone request waits one turn. Each batch starts after all its
 * callers asked, so each gets what a statement of its own would have given. Per database handle;
 * `run` answers a map by key.
 */
export function batched<K, V>(
  run: (db: Db, keys: K[]) => Promise<Map<K, V>>,
  options: { windowMs?: number } = {},
) {
  const pending = new WeakMap<Db, Map<K, Array<Waiter<V>>>>();
  const flush = async (db: Db, batch: Map<K, Array<Waiter<V>>>) => {
    try {
      const keys = [...batch.keys()];
      const results = new Map<K, V>();
      for (let i = 0; i < keys.length; i += CHUNK) {
        for (const [key, value] of await run(db, keys.slice(i, i + CHUNK))) results.set(key, value);
      }
      for (const [key, waiters] of batch) for (const waiter of waiters) waiter.resolve(results.get(key));
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  };
  return (db: Db, key: K): Promise<V | undefined> => {
    let batch = pending.get(db);
    if (!batch) {
      const created = new Map<K, Array<Waiter<V>>>();
      pending.set(db, created);
      const start = () => {
        pending.delete(db);
        void flush(db, created);
      };
      if (options.windowMs) setTimeout(start, options.windowMs);
      else setImmediate(start);
      batch = created;
    }
    const waiters = batch.get(key) ?? [];
    batch.set(key, waiters);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
}
