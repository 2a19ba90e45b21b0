import type { FastifyInstance } from "fastify";

/**
 * Widget procedures are called from customers' sites. They never use cookies, and each one checks
 * the Origin against its button's allowed domains, so the response may name any origin here; the
 * procedure itself refuses the ones that are not allowed.
 */
export function registerWidgetCors(app: FastifyInstance) {
  // A callback hook (an async one costs every request a promise): it answers a preflight itself,
  // and otherwise lets the request go on.
  app.addHook("onRequest", (req, reply, done) => {
    const origin = req.headers.origin;
    if (!origin || (!req.url.startsWith("/trpc/widget.") && !req.url.startsWith("/trpc/calls."))) {
      return done();
    }
    reply.header("Access-Control-Allow-Origin", origin).header("Vary", "Origin");
    if (req.method !== "OPTIONS") return done();
    reply
      .code(204)
      .header("Access-Control-Allow-Methods", "GET, POST")
      .header("Access-Control-Allow-Headers", "content-type")
      .header("Access-Control-Max-Age", "600")
      .send();
  });
}
