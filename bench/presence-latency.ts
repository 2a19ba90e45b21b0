// npm run bench -- presence-latency [--trials 20]
// How long presence takes to reach the widget and the portal after an agent goes offline. Each
// trial makes the agent reachable (available, a phone panel's stream open), waits until a
// visitor's open widget dialog in Chromium offers "Call now", then takes the agent offline (the
// panel closed, or calls turned off, alternately) and measures the time until:
// - the widget's dialog shows nobody can answer (its callback or closed frame), and
// - the server counts the agent unreachable (what any portal screen reads at its next refresh:
//   the member's own availability, polled every 50 ms here).
// Prints p50/p95 of each, with the load average before and after.

import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { chromium } from "@playwright/test";
import { createBenchButton } from "./lib/bench-button";
import { PORTAL_ORIGIN, signUpAndVerify, startRealApp } from "./lib/real-app";

const { values } = parseArgs({ options: { trials: { type: "string", default: "20" } } });
const trials = Number(values.trials);
const dist = fileURLToPath(new URL("../apps/widget/dist/", import.meta.url));
if (!existsSync(`${dist}widget.js`)) {
  console.error("The widget is not built: run `npm run build -w @cac/widget` first.");
  process.exit(2);
}
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
const loadBefore = load();

const app = await startRealApp();
const { cookie } = await signUpAndVerify(app);
const publicId = await createBenchButton(app, cookie, "localhost");
const portal = { origin: PORTAL_ORIGIN, cookie };

async function call(path: string, input?: unknown, mutation = true) {
  const url = `${app.url}/trpc/${path}`;
  const res = mutation
    ? await fetch(url, {
        method: "POST",
        headers: { ...portal, "content-type": "application/json" },
        body: JSON.stringify({ json: input }),
      })
    : await fetch(
        input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
        {
          headers: portal,
        },
      );
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}
const reachable = async () =>
  ((await call("phone.availability", undefined, false)) as { reachable: boolean }).reachable;

/** Holds the agent's phone panel stream open until aborted (a portal tab). */
async function openPanel() {
  const abort = new AbortController();
  const res = await fetch(`${app.url}/trpc/phone.events`, {
    headers: { ...portal, accept: "text/event-stream" },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`phone.events answered ${res.status}`);
  const reader = res.body.getReader();
  void (async () => {
    try {
      for (;;) if ((await reader.read()).done) return;
    } catch {
      // Aborted: the tab closed.
    }
  })();
  return () => abort.abort();
}

const site = createServer((_req, res) =>
  res
    .writeHead(200, { "content-type": "text/html" })
    .end(
      `<!doctype html><html><head><title>Shop</title></head><body><h1>Shop</h1><script src="${app.url}/widget.js" data-button="${publicId}" async></script></body></html>`,
    ),
);
await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
const siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
await page.goto(siteUrl);
// In the page (strings: this file has no DOM types): the widget's button, then its dialog's text.
const shadow = `document.querySelector("click-and-call")?.shadowRoot`;
await page.waitForFunction(`!!${shadow}?.querySelector("button.b")`);
await page.evaluate(`${shadow}.querySelector("button.b").click()`);
const dialogText = async () =>
  String(await page.evaluate(`${shadow}?.querySelector('[role="dialog"]')?.textContent ?? ""`));
const BUSY = "No one can take a call right now.";

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const widgetMs: number[] = [];
const serverMs: number[] = [];
for (let i = 0; i < trials; i++) {
  const how = i % 2 === 0 ? "panel closed" : "set unavailable";
  await call("phone.setAvailable", { available: true });
  const close = await openPanel();
  await waitFor(reachable, "the agent to be reachable");
  await waitFor(async () => (await dialogText()).includes("Call now"), "the widget to offer the call");
  // At a random moment of the widget's 5 s question cycle, as an agent's going offline would be.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 5000));
  const offline = performance.now();
  if (how === "panel closed") close();
  else await call("phone.setAvailable", { available: false });
  let serverAt = 0;
  let widgetAt = 0;
  await Promise.all([
    waitFor(async () => !(await reachable()), "the server to see it").then(() => {
      serverAt = performance.now();
    }),
    waitFor(async () => (await dialogText()).includes(BUSY), "the widget to show nobody can answer").then(
      () => {
        widgetAt = performance.now();
      },
    ),
  ]);
  if (how !== "panel closed") close();
  widgetMs.push(widgetAt - offline);
  serverMs.push(serverAt - offline);
  console.log(
    `trial ${i + 1} (${how}): widget ${(widgetAt - offline).toFixed(0)} ms, server ${(serverAt - offline).toFixed(0)} ms`,
  );
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
console.log(`\npresence latency over ${trials} trials (agent goes offline -> ...)`);
console.log(
  `  widget shows nobody can answer: p50 ${pct(widgetMs, 50).toFixed(0)} ms, p95 ${pct(widgetMs, 95).toFixed(0)} ms, max ${Math.max(...widgetMs).toFixed(0)} ms`,
);
console.log(
  `  server counts the agent unreachable: p50 ${pct(serverMs, 50).toFixed(0)} ms, p95 ${pct(serverMs, 95).toFixed(0)} ms, max ${Math.max(...serverMs).toFixed(0)} ms`,
);
console.log(`  load average before: ${loadBefore}; after: ${load()}`);

await browser.close();
site.close();
await app.close();
