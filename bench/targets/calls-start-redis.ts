// calls.start as a multi-instance deployment runs it: limiter and pubsub in Redis (REDIS_URL,
// default redis://127.0.0.1:6379), under a key prefix of its own so runs never collide.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart } from "../lib/calls-start";
import { startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "calls-start-redis",
  description: "real app, POST /trpc/calls.start (creates a ringing call), Redis limiter and pubsub",
  async start() {
    const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
    const probe = new Redis(redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    try {
      await probe.connect();
      await probe.ping();
    } catch {
      throw new Error(`no Redis at ${redisUrl}: start one, or set REDIS_URL`);
    } finally {
      probe.disconnect();
    }
    const app = await startRealApp({
      limits: liftedCallLimits,
      trustProxy: true,
      ringTimeoutSeconds: BENCH_RING_SECONDS,
      redisUrl,
      limiterKeyPrefix: `cac-bench-${randomBytes(4).toString("hex")}`,
    });
    const { request, stopPresence } = await prepareCallsStart(app);
    return {
      ...request,
      notes: { database: app.db.kind, limiter: app.ports.limiter.mode, pubsub: app.ports.pubsub.mode },
      async stop() {
        stopPresence();
        await app.close();
      },
    };
  },
});
