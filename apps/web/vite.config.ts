import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

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

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
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
