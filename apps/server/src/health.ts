import type { DbHandle } from "@cac/db";
import type { FastifyInstance } from "fastify";

export async function registerHealth(app: FastifyInstance, db: DbHandle) {
  app.get("/healthz", async (req, reply) => {
    // A cached 200 would hide an outage from the load balancer.
    reply.header("Cache-Control", "no-store");
    const started = performance.now();
    try {
      await db.ping();
      return { ok: true, db: db.kind, dbMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (error) {
      req.log.error({ err: error }, "health check: database unreachable");
      return reply.code(503).send({ ok: false, db: db.kind, error: "database unreachable" });
    }
  });
}
