import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { buildWidget, distDir } from "../apps/widget/build.mjs";
import type { E2eServer } from "./fixtures";

/**
 * A customer's site: a page served from another origin (its own port) with the snippet pointing
 * at the app server, under a strict CSP (no inline styles or scripts of the widget's), with
 * hostile CSS. Its queue stub records the widget's events in `window.widgetEvents`.
 */
export type Site = {
  /**
   * URL of the customer's page for this button; `host` may be "127.0.0.1" for an origin the
   * button does not allow; `cloudflare` lets the CSP load Turnstile (challenges.cloudflare.com).
   */
  url(button: string, options?: { inline?: boolean; host?: string; cloudflare?: boolean }): string;
};

const template = readFileSync(
  fileURLToPath(new URL("./fixtures/third-party/index.html", import.meta.url)),
  "utf8",
);
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Serves the site for one worker's server until `use` returns. */
export async function serveThirdPartySite(server: E2eServer, use: (site: Site) => Promise<void>) {
  if (!existsSync(`${distDir}/widget.js`) || !existsSync(`${distDir}/widget-call.js`)) {
    await buildWidget({ write: true });
  }
  const http = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://site");
    if (url.pathname !== "/") {
      res.writeHead(404).end();
      return;
    }
    const nonce = randomBytes(12).toString("base64");
    const button = url.searchParams.get("button") ?? "";
    const cloudflare = url.searchParams.has("cf") ? " https://challenges.cloudflare.com" : "";
    const html = template
      .replaceAll("__NONCE__", nonce)
      .replaceAll("__WIDGET_HOST__", escapeHtml(server.url))
      .replaceAll("__BUTTON__", escapeHtml(button))
      .replace(
        "__INLINE_SLOT__",
        url.searchParams.has("inline")
          ? `<div class="slot">Talk to a plumber: <div data-clickandcall="${escapeHtml(button)}"></div></div>`
          : "",
      );
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      // Calls and the widget need nothing more than the widget's host for scripts and connections
      // (and Cloudflare's for Turnstile, when the server has it on).
      "content-security-policy": [
        "default-src 'none'",
        `script-src 'nonce-${nonce}' ${server.url}${cloudflare}`,
        `frame-src${cloudflare || " 'none'"}`,
        `style-src 'nonce-${nonce}'`,
        `connect-src ${server.url}`,
        `img-src ${server.url} data:`,
        "base-uri 'none'",
      ].join("; "),
    });
    res.end(html);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  await use({
    url: (button, options = {}) =>
      `http://${options.host ?? "localhost"}:${port}/?button=${encodeURIComponent(button)}${options.inline ? "&inline" : ""}${options.cloudflare ? "&cf" : ""}`,
  });
  await new Promise((resolve) => http.close(resolve));
}
