import type { Limits, Ports, Settings } from "@cac/core";
import { getPublicConfig } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { OriginLog } from "../adapters/origin-log";
import { clientIp } from "../client-ip";

/**
 * `GET /widget/config/:publicId`: the cacheable public view of a button, CORS per its domains.
 * Limited per visitor IP only (its /64 for IPv6): browsers and CDNs cache the answer (ETag,
 * Cache-Control), and a limit per button would let one flood refuse every visitor of that site.
 */
export async function registerWidgetConfig(
  app: FastifyInstance,
  ports: Ports,
  settings: Settings,
  limits: Limits,
  origins: OriginLog,
) {
  const portalOrigin = settings.publicUrl.origin;
  app.get<{ Params: { publicId: string } }>("/widget/config/:publicId", async (req, reply) => {
    const origin = req.headers.origin;
    reply.header("Vary", "Origin");
    const publicId = req.params.publicId;
    const perIp = await ports.limiter.consume("config.ip", limits["config.ip"], ipKey(clientIp(req)));
    if (!perIp.allowed) return tooMany(reply, origin, perIp.retryAfterSeconds);
    if (publicId.length > 64) return reply.code(404).send({ error: "This call button does not exist." });
    const result = await getPublicConfig({ ...ports, settings }, publicId, origin);
    // The install status: which sites load this button (counted in memory, written in batches).
    // The portal's own pages (preview, test mode) are not an install.
    if (origin && origin !== portalOrigin) {
      if (result.status === 200) origins.note(publicId, origin, true);
      else if (result.status === 403 && !result.body.reason) origins.note(publicId, origin, false);
    }
    if (result.status !== 200) {
      // The widget must be able to read the refusal to tell the site owner what to fix.
      if (origin) reply.header("Access-Control-Allow-Origin", origin);
      return reply.code(result.status).header("Cache-Control", "no-store").send(result.body);
    }
    if (result.allowOrigin) reply.header("Access-Control-Allow-Origin", result.allowOrigin);
    reply
      .header("Cache-Control", "public, max-age=60, stale-while-revalidate=600")
      .header("ETag", result.etag);
    if (req.headers["if-none-match"] === result.etag) return reply.code(304).send();
    // The body is kept serialized with its ETag, so a hit costs no JSON work.
    return reply.type("application/json; charset=utf-8").send(result.json);
  });
}

/** 429 that the widget can read (CORS) and no cache keeps. */
function tooMany(reply: FastifyReply, origin: string | undefined, retryAfterSeconds: number) {
  if (origin) reply.header("Access-Control-Allow-Origin", origin);
  return reply
    .code(429)
    .header("Retry-After", String(retryAfterSeconds))
    .header("Cache-Control", "no-store")
    .send({
      error: `Too many requests from your network. Please try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? "" : "s"}.`,
      reason: "rate_limited",
      retryAfterSeconds,
    });
}
