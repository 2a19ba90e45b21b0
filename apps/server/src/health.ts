import type { PubSub } from "@cac/core";
import type { DbHandle } from "@cac/db";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Drain } from "./drain";

/** A dependency that has not answered by then counts as down (a load balancer probes often). */
const PROBE_TIMEOUT_MS = 2000;

type Probe = { ok: true; ms: number } | { ok: false; error: string };

/** Times one round trip to a dependency, bounded; the cause goes to the log, never to the body. */
async function probe(req: FastifyRequest, name: string, roundTrip: () => Promise<unknown>): Promise<Probe> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      roundTrip(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return { ok: true, ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    req.log.error({ err: error, path: req.url }, `health check: ${name} unreachable`);
    return { ok: false, error: `${name} unreachable` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A successful database probe of `/healthz` stands for this long: a load balancer or monitor
 * probing often (or anyone flooding the public path) costs the database one round trip per
 * second, not one per request. A failure is never reused: the next request probes again.
 */
export const LIVENESS_REUSE_MS = 1000;

/**
 * The liveness probe of the database: the last success while it is recent, else one round trip
 * shared by the requests that arrive while it is under way. A database this process has closed
 * (shutting down) is down at once.
 */
function livenessProbe(db: DbHandle) {
  let last: { startedAt: number; result: Probe } | null = null;
  let running: Promise<Probe> | null = null;
  return (req: FastifyRequest): Probe | Promise<Probe> => {
    if (db.isClosed()) return { ok: false, error: "database unreachable" };
    if (last?.result.ok && performance.now() - last.startedAt < LIVENESS_REUSE_MS) return last.result;
    if (!running) {
      const startedAt = performance.now();
      running = probe(req, "database", () => db.ping()).then((result) => {
        last = { startedAt, result };
        running = null;
        return result;
      });
    }
    return running;
  };
}

export async function registerHealth(
  app: FastifyInstance,
  db: DbHandle,
  pubsub: PubSub,
  drain: Pick<Drain, "draining">,
) {
  const liveness = livenessProbe(db);
  // Liveness: the process answers, and its database answered within the last second.
  app.get("/healthz", async (req, reply) => {
    // A cached 200 would hide an outage from the load balancer.
    reply.header("Cache-Control", "no-store");
    // Stopping: a load balancer that checks health takes this instance out at once.
    if (drain.draining()) return reply.code(503).send({ ok: false, draining: true });
    const database = await liveness(req);
    return database.ok
      ? { ok: true, db: db.kind, dbMs: database.ms }
      : reply.code(503).send({ ok: false, db: db.kind, error: database.error });
  });

  // Readiness: whether this instance can serve everything now, each dependency on its own, probed
  // afresh on every request. Calls need Redis (live events) when it is configured, so a load
  // balancer should send traffic elsewhere.
  app.get("/readyz", async (req, reply) => {
    reply.header("Cache-Control", "no-store");
    if (drain.draining()) return reply.code(503).send({ ok: false, draining: true });
    const [database, redis] = await Promise.all([
      probe(req, "database", () => db.ping()),
      pubsub.mode === "redis" ? probe(req, "redis", () => pubsub.check()) : null,
    ]);
    const ok = database.ok && (redis?.ok ?? true);
    return reply.code(ok ? 200 : 503).send({
      ok,
      database: { kind: db.kind, ...database },
      redis: redis ?? { ok: true, configured: false },
    });
  });
}
