import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

export const defaultWebDist = fileURLToPath(new URL("../../web/dist", import.meta.url));

/** The portal's files served under a fixed name at the root (the installable app's), by content type. */
const unhashedFiles: Record<string, string> = {
  "sw.js": "text/javascript; charset=utf-8",
  "manifest.webmanifest": "application/manifest+json; charset=utf-8",
};

/** Serves the built portal; unknown paths that want HTML get index.html (client-side routing). */
export async function registerPortal(app: FastifyInstance, distDir: string) {
  const hasBuild = existsSync(join(distDir, "index.html"));
  const distRoot = resolve(distDir);
  if (hasBuild) {
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: "/",
      wildcard: false,
      index: false,
      setHeaders(res, path) {
        // Vite fingerprints assets, so they never change under the same name.
        if (path.includes("/assets/")) res.header("Cache-Control", "public, max-age=31536000, immutable");
        const name = basename(path);
        const unhashed = unhashedFiles[name];
        if (unhashed && dirname(path) === distRoot) {
          // Same name every build: browsers must check them each time (a new worker is a new build).
          res.header("Content-Type", unhashed);
          res.header("Cache-Control", "no-cache");
          if (name === "sw.js") res.header("Service-Worker-Allowed", "/");
        }
      },
    });
  } else {
    app.log.warn({ distDir }, "the portal is not built; run `npm run build` to serve it");
  }
  app.setNotFoundHandler((req, reply) => {
    const wantsHtml = req.method === "GET" && (req.headers.accept ?? "").includes("text/html");
    const isApi = req.url.startsWith("/trpc") || req.url.startsWith("/webhooks");
    if (wantsHtml && !isApi) {
      if (!hasBuild) {
        return reply
          .code(503)
          .type("text/plain")
          .send("The portal has not been built yet. Run `npm run build`, then reload.");
      }
      return reply.header("Cache-Control", "no-cache").sendFile("index.html", distDir);
    }
    return reply.code(404).send({ error: "Not found", path: req.url.split("?")[0] });
  });
}
