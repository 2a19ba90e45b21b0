import type { Limits, Ports, Settings } from "@cac/core";
import { AppError, LOGO_MAX_BYTES, uploadButtonLogo } from "@cac/core";
import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { refuse, registerPortalRoute } from "./guard";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^logos\/[a-f0-9]{32}\.(png|jpg|webp)$/;

/**
 * `POST /uploads/logo?button=<id>` (multipart, portal session) and `GET /uploads/logos/<hash>.<ext>`.
 * Multipart is a "simple" request a foreign form could send, so the portal Origin is required
 * (the guard layer, guard.ts). The logo service checks the image, the quota and the button.
 */
export async function registerUploads(
  app: FastifyInstance,
  ports: Ports,
  settings: Settings,
  limits: Limits,
) {
  await app.register(multipart, { limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 5 } });

  registerPortalRoute<{ Querystring: { button?: string } }>(
    app,
    { ports, settings, limits },
    "POST /uploads/logo",
    async (req, reply, { ctx, auth }) => {
      if (!req.isMultipart()) {
        throw new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          "Send the logo as multipart/form-data with a `file` field.",
        );
      }
      const buttonId = req.query.button ?? "";
      if (!UUID.test(buttonId)) throw new AppError("NOT_FOUND", "This button does not exist or was deleted.");
      const part = await req.file();
      if (!part) throw new AppError("BAD_INPUT", "Choose an image file to upload.");
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (error) {
        // Multipart's own limit, before any service runs: no domain code says 413.
        if ((error as { code?: string }).code === "FST_REQ_FILE_TOO_LARGE") {
          const message = "The logo must be 512 KB or smaller.";
          return refuse(reply, 413, message, { file: [message] });
        }
        throw error;
      }
      const button = await uploadButtonLogo(ctx, auth.account.id, buttonId, {
        bytes,
        declaredType: part.mimetype,
      });
      return { key: button.logoKey, logoUrl: `${settings.publicUrl.origin}/uploads/${button.logoKey}` };
    },
  );

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
