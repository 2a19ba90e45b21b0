// npm run bench -- widget-paint [--runs 15]
// The loader's gzipped size, and the time from the loader starting to run to the button's
// first paint on a third-party page in Chromium (config fetch, shadow root, render), next to
// a baseline script that paints the same kind of button with no fetch, in the same run.
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { chromium } from "@playwright/test";
import { createBenchButton } from "./lib/bench-button";
import { signUpAndVerify, startRealApp } from "./lib/real-app";

const { values } = parseArgs({ options: { runs: { type: "string", default: "15" } } });
const runs = Number(values.runs);
const dist = fileURLToPath(new URL("../apps/widget/dist/", import.meta.url));
if (!existsSync(`${dist}widget.js`)) {
  console.error("The widget is not built: run `npm run build -w @cac/widget` first.");
  process.exit(2);
}
const gz = (file: string) => gzipSync(readFileSync(`${dist}${file}`), { level: 9 }).length;

// Reports, from inside the page, when the button first painted relative to the script's start.
const probe = `
  window.__paint = new Promise((resolve) => {
    const check = () => {
      const host = document.querySelector("click-and-call");
      const button = host && host.shadowRoot && host.shadowRoot.querySelector("button");
      if (button && button.getBoundingClientRect().width > 0) {
        requestAnimationFrame(() => {
          const script = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/widget.js") || e.name.endsWith("/baseline.js"));
          resolve({ paintedAt: performance.now(), scriptStart: script ? script.responseEnd : 0 });
        });
        return;
      }
      requestAnimationFrame(check);
    };
    check();
  });`;
const baselineScript = `
  const host = document.createElement("click-and-call");
  const root = host.attachShadow({ mode: "open" });
  const button = document.createElement("button");
  button.textContent = "Call us";
  button.style.cssText = "position:fixed;right:16px;bottom:16px;padding:12px 20px;border-radius:999px;background:#1d4ed8;color:#fff;border:0";
  root.append(button);
  document.body.append(host);`;

const app = await startRealApp();
const { cookie } = await signUpAndVerify(app);
const publicId = await createBenchButton(app, cookie, "localhost");
const page = (script: string) =>
  `<!doctype html><html><head><title>Shop</title><script src="/probe.js"></script></head><body><h1>Shop</h1>${script}</body></html>`;
const site = createServer((req, res) => {
  const send = (type: string, body: string) => res.writeHead(200, { "content-type": type }).end(body);
  if (req.url === "/probe.js") return send("text/javascript", probe);
  if (req.url === "/baseline.js") return send("text/javascript", baselineScript);
  if (req.url === "/baseline") return send("text/html", page(`<script src="/baseline.js" async></script>`));
  return send(
    "text/html",
    page(`<script src="${app.url}/widget.js" data-button="${publicId}" async></script>`),
  );
});
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
const siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
async function measurePaint(path: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // A fresh context each time: a first visit, nothing cached.
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${siteUrl}${path}`);
    const { paintedAt, scriptStart } = (await tab.evaluate("window.__paint")) as {
      paintedAt: number;
      scriptStart: number;
    };
    times.push(paintedAt - scriptStart);
    await context.close();
  }
  return times.sort((a, b) => a - b);
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;

try {
  // Interleaved warm-up so neither side pays the browser's first-start costs.
  await measurePaint("/baseline");
  const baseline = await measurePaint("/baseline");
  const widget = await measurePaint("/widget");
  console.log(
    `Loader: ${gz("widget.js")} B gzipped (budget 3072), call UI chunk: ${gz("widget-call.js")} B (budget 15360)`,
  );
  console.log(`First paint from script start, ${runs} cold page loads each (ms):`);
  console.log(
    `  baseline (no fetch)   p50 ${pct(baseline, 0.5).toFixed(1)}  p90 ${pct(baseline, 0.9).toFixed(1)}`,
  );
  console.log(
    `  widget.js             p50 ${pct(widget, 0.5).toFixed(1)}  p90 ${pct(widget, 0.9).toFixed(1)}`,
  );
  console.log(
    `  widget - baseline     p50 ${(pct(widget, 0.5) - pct(baseline, 0.5)).toFixed(1)} ms (the config round trip and render)`,
  );
} finally {
  await browser.close();
  site.close();
  await app.close();
}
