import type { Limits, Ports, Settings } from "@cac/core";
import { AppError, httpStatusOf, LOGO_MAX_BYTES, uploadButtonLogo, validateSession } from "@cac/core";
import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { createRequestContext } from "../context";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^logos\/[a-f0-9]{32}\.(png|jpg|webp)$/;

/**
 * `POST /uploads/logo?button=<id>` (multipart, portal session) and `GET /uploads/logos/<hash>.<ext>`.
 * Multipart is a "simple" request a foreign form could send, so the portal Origin is required.
 */
export async function registerUploads(
  app: FastifyInstance,
  ports: Ports,
  settings: Settings,
  limits: Limits,
) {
  await app.register(multipart, { limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 5 } });

  app.post<{ Querystring: { button?: string } }>("/uploads/logo", async (req, reply) => {
    const fail = (status: number, message: string) =>
      reply.code(status).send({ error: message, fieldErrors: { file: [message] } });
    if (req.headers.origin !== settings.publicUrl.origin)
      return fail(403, "This upload did not come from the portal.");
    const ctx = createRequestContext(ports, settings, limits, req, reply);
    const auth = await validateSession(ctx);
    if (!auth) return fail(401, "Please log in to continue.");
    if (!req.isMultipart()) return fail(415, "Send the logo as multipart/form-data with a `file` field.");
    const buttonId = req.query.button ?? "";
    if (!UUID.test(buttonId)) return fail(404, "This button does not exist or was deleted.");
    const part = await req.file();
    if (!part) return fail(400, "Choose an image file to upload.");
    let bytes: Buffer;
    try {
      bytes = await part.toBuffer();
    } catch (error) {
      if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE")
        return fail(413, "The logo must be 512 KB or smaller.");
      throw error;
    }
    try {
      const button = await uploadButtonLogo(ctx, auth.account.id, buttonId, {
        bytes,
        declaredType: part.mimetype,
      });
      return { key: button.logoKey, logoUrl: `${settings.publicUrl.origin}/uploads/${button.logoKey}` };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error.retryAfterSeconds) reply.header("Retry-After", String(error.retryAfterSeconds));
      return fail(httpStatusOf(error.appCode), error.message);
    }
  });

  app.get<{ Params: { "*": string } }>("/uploads/*", async (req, reply) => {
    const key = req.params["*"];
    if (!KEY.test(key)) return reply.code(404).send({ error: "Not found" });
    const file = await ports.storage.get(key);
    if (!file) return reply.code(404).send({ error: "Not found" });
    return reply
      .header("Content-Type", file.contentType)
      .header("X-Content-Type-Options", "nosniff")
      .header("Content-Security-Policy", "default-src 'none'; sandbox")
      .header("Cross-Origin-Resource-Policy", "cross-origin")
      .header("Cache-Control", "public, max-age=31536000, immutable")
      .send(file.body);
  });
}
