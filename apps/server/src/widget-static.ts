import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { widgetLanguages } from "@cac/core/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export const defaultWidgetDist = fileURLToPath(new URL("../../widget/dist", import.meta.url));

/**
 * The public widget scripts, loaded by customers' sites under fixed names: the loader, the call UI
 * chunk, the Twilio Voice SDK chunk (imported by the call chunk only for Twilio calls), and one
 * chunk of words per language the widget speaks (apps/widget/src/i18n).
 */
const files = [
  "widget.js",
  "widget-call.js",
  "widget-twilio.js",
  ...widgetLanguages.map((code) => `widget-${code}.js`),
] as const;

type Entry = { raw: Buffer; gzip: Buffer; br: Buffer; etag: string; mtimeMs: number };

/** How long a file's stat is trusted before checking for a rebuild. */
const recheckMs = 1000;

/**
 * Serves `/widget.js` (the loader), `/widget-call.js` (the call UI chunk), `/widget-twilio.js`
 * (the Twilio Voice SDK chunk) and `/widget-<language>.js` (the words) from apps/widget/dist.
 * Files are read into memory with gzip and brotli variants precomputed, and re-read only when
 * their mtime changes (checked at most once a second), so a rebuild is picked up without a restart.
 * The names are fixed, so caching is short with stale-while-revalidate, never immutable.
 */
export async function registerWidget(app: FastifyInstance, distDir = defaultWidgetDist) {
  const cache = new Map<string, { entry: Entry | null; checkedAt: number }>();

  async function load(name: string): Promise<Entry | null> {
    const now = Date.now();
    const hit = cache.get(name);
    if (hit && now - hit.checkedAt < recheckMs) return hit.entry;
    const path = join(distDir, name);
    let entry: Entry | null = null;
    try {
      const { mtimeMs } = await stat(path);
      if (hit?.entry && hit.entry.mtimeMs === mtimeMs) {
        entry = hit.entry;
      } else {
        const raw = await readFile(path);
        entry = {
          raw,
          gzip: gzipSync(raw, { level: 9 }),
          br: brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
          etag: `"${createHash("sha256").update(raw).digest("base64url").slice(0, 22)}"`,
          mtimeMs,
        };
      }
    } catch {
      entry = null;
    }
    cache.set(name, { entry, checkedAt: now });
    return entry;
  }

  // Only checked here, not compressed: brotli at quality 11 takes a second for the Twilio chunk,
  // which the first request that wants it pays instead of every server start.
  const missing = await Promise.all(
    files.map((name) =>
      stat(join(distDir, name)).then(
        () => null,
        () => name,
      ),
    ),
  );
  if (missing.some(Boolean)) {
    app.log.warn(
      { distDir },
      "the widget is not built; run `npm run build -w @cac/widget` to serve /widget.js",
    );
  }

  async function serve(name: string, req: FastifyRequest, reply: FastifyReply) {
    reply
      .header("Access-Control-Allow-Origin", "*")
      .header("Cross-Origin-Resource-Policy", "cross-origin")
      .header("X-Content-Type-Options", "nosniff");
    const entry = await load(name);
    if (!entry) {
      return reply
        .code(503)
        .header("Cache-Control", "no-store")
        .type("text/plain; charset=utf-8")
        .send(
          "The Click & Call widget has not been built yet. Run `npm run build -w @cac/widget`, then reload.",
        );
    }
    reply
      .header("Content-Type", "application/javascript; charset=utf-8")
      .header("Cache-Control", "public, max-age=300, stale-while-revalidate=86400")
      .header("ETag", entry.etag)
      .header("Vary", "Accept-Encoding");
    const match = req.headers["if-none-match"];
    if (match?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === entry.etag)) {
      return reply.code(304).send();
    }
    const accept = String(req.headers["accept-encoding"] ?? "");
    if (/\bbr\b/.test(accept)) return reply.header("Content-Encoding", "br").send(entry.br);
    if (/\bgzip\b/.test(accept)) return reply.header("Content-Encoding", "gzip").send(entry.gzip);
    return reply.send(entry.raw);
  }

  for (const name of files) {
    app.get(`/${name}`, (req, reply) => serve(name, req, reply));
  }
}
