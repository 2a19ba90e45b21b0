import { notifyMissedCall, type Ports } from "@cac/core";
import { createDb } from "@cac/db";
import type { TestDbHandle } from "@cac/db/testing";
import { createRedisPubSub } from "../src/adapters/pubsub";
import { createEmailQueue, createQueuedMailer } from "../src/adapters/queued-mailer";
import type { Harness } from "./harness";

export type SecondPool = {
  /** The ports a service function needs, on the second pool (and a Redis connection of its own). */
  deps: Pick<Ports, "db" | "mailer" | "pubsub" | "presence" | "clock" | "log" | "onCallEnded">;
  close(): Promise<void>;
};

/**
 * What a second server process brings to a shared resource, without a second app: a connection
 * pool of its own on `db` (the embedded database belongs to one process: there, the same handle),
 * its own Redis connection on the deployment's channels (`pubsubKeyPrefix`, the harness's), a
 * mailer that queues through its pool, and the missed-call email after a call it ended. It shares
 * the harness's clock, so a unit test can race a compare-and-set from both pools at one instant.
 * Behaviour across real processes is tested with real processes (cluster/cluster.ts).
 */
export async function secondPool(h: Harness, db: TestDbHandle, pubsubKeyPrefix: string): Promise<SecondPool> {
  const handle = db.url ? await createDb({ url: db.url, maxConnections: 5 }) : null;
  const pool = handle?.db ?? db.db;
  const redisUrl = process.env.REDIS_URL;
  const pubsub =
    h.ports.pubsub.mode === "redis" && redisUrl
      ? createRedisPubSub(redisUrl, h.ports.log, pubsubKeyPrefix)
      : h.ports.pubsub;
  const queue = createEmailQueue(pool, h.clock, () => {});
  const deps: SecondPool["deps"] = {
    db: pool,
    clock: h.clock,
    log: h.ports.log,
    pubsub,
    // Presence is one store for the deployment (Redis, or this process's memory): the harness's.
    presence: h.ports.presence,
    mailer: createQueuedMailer(queue, h.ports.mailer.mode, h.ports.log),
    onCallEnded: async (call) => {
      await notifyMissedCall(deps, { publicUrl: new URL(h.portalOrigin) }, call);
    },
  };
  return {
    deps,
    async close() {
      if (pubsub !== h.ports.pubsub) await pubsub.close();
      await handle?.close();
    },
  };
}
