// biome-ignore lint/style/noRestrictedImports: the build's config runs in Node, not in the browser.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
// biome-ignore lint/style/noRestrictedImports: the build's config runs in Node, not in the browser.
import { join, relative, sep } from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin, type ProxyOptions } from "vite";
import { shellFiles } from "./src/sw/policy";

/** The API server `npm run dev -w @cac/server` listens on. */
const apiTarget = "http://localhost:3000";

// The server accepts mutations only from PUBLIC_URL's origin, so proxied requests present the
// API server's own origin instead of Vite's.
const toApi: ProxyOptions = {
  target: apiTarget,
  changeOrigin: true,
  configure(proxy) {
    proxy.on("proxyReq", (proxyReq) => {
      if (proxyReq.getHeader("origin")) proxyReq.setHeader("origin", apiTarget);
    });
    proxy.on("proxyReqWs", (proxyReq) => {
      if (proxyReq.getHeader("origin")) proxyReq.setHeader("origin", apiTarget);
    });
  },
};

/**
 * The service worker is built as /sw.js (its scope is the folder it is served from, so it must be
 * at the root, under a fixed name), and is told this build's shell files once they are known.
 */
function serviceWorker(): Plugin {
  return {
    name: "cac-service-worker",
    apply: "build",
    // Once the files are on disk: chunks Vite drops late (CSS-only ones) are not in the shell.
    writeBundle(options) {
      const outDir = options.dir ?? "dist";
      const worker = join(outDir, "sw.js");
      const files = readdirSync(outDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(outDir, join(entry.parentPath, entry.name)).split(sep).join("/"));
      const code = readFileSync(worker, "utf8");
      const placeholder = /(["'`])__CAC_SHELL_FILES__\1/;
      if (!placeholder.test(code)) throw new Error("sw.js has no shell placeholder to fill");
      writeFileSync(worker, code.replace(placeholder, JSON.stringify(JSON.stringify(shellFiles(files)))));
    },
  };
}

export default defineConfig({
  plugins: [react(), serviceWorker()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: { main: "index.html", sw: "src/sw/sw.ts" },
      output: {
        entryFileNames: (chunk) => (chunk.name === "sw" ? "sw.js" : "assets/[name]-[hash].js"),
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      "/trpc": { ...toApi, ws: true },
      "/healthz": toApi,
      "/webhooks": toApi,
      // /widget.js, its chunks and /widget/config/…
      "/widget": toApi,
      "/uploads": toApi,
      "/exports": toApi,
    },
  },
});
