import type { Ports, Settings } from "@cac/trpc";
import { getPublicConfig } from "@cac/trpc/services/public-config";
import type { FastifyInstance } from "fastify";

/** `GET /widget/config/:publicId`: the cacheable public view of a button, CORS per its domains. */
export async function registerWidgetConfig(app: FastifyInstance, ports: Ports, settings: Settings) {
  app.get<{ Params: { publicId: string } }>("/widget/config/:publicId", async (req, reply) => {
    const origin = req.headers.origin;
    reply.header("Vary", "Origin");
    const publicId = req.params.publicId;
    if (publicId.length > 64) return reply.code(404).send({ error: "This call button does not exist." });
    const result = await getPublicConfig({ ...ports, settings }, publicId, origin);
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
