// npm run bench -- presence-latency [--trials 20] [--cluster]
// How long presence takes to reach the widget and the portal after an agent goes offline. Each
// trial makes the agent reachable (available, a phone panel's stream open), waits until a
// visitor's open widget dialog in Chromium offers "Call now" and a teammate's Team page (Chromium)
// shows the agent reachable, then takes the agent offline (the panel closed, or calls turned off,
// alternately) and measures the time until:
// - the widget's dialog shows nobody can answer (its callback or closed frame),
// - the teammate's presence stream (team.presence, what their phone panel and Team page read)
//   hears the agent is not reachable,
// - the teammate's Team page no longer shows the agent "Reachable now", and
// - the server counts the agent unreachable (the member's own availability, polled every 50 ms).
// With --cluster: two real server processes on PostgreSQL and Redis (TEST_DATABASE_URL and
// REDIS_URL), the agent on one and the teammate's stream on the other (bench/lib/presence-cluster.ts).
// Prints p50/p95 of each, with the load average before and after.

import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { outboxMessages } from "@cac/db";
import { chromium } from "@playwright/test";
import { desc, eq } from "drizzle-orm";
import { createBenchButton } from "./lib/bench-button";
import { clusterPresenceLatency } from "./lib/presence-cluster";
import { openPresenceStream, summary } from "./lib/presence-stream";
import { PORTAL_ORIGIN, signUpAndVerify, startRealApp } from "./lib/real-app";

const { values } = parseArgs({
  options: { trials: { type: "string", default: "20" }, cluster: { type: "boolean", default: false } },
});
const trials = Number(values.trials);
if (values.cluster) {
  await clusterPresenceLatency(trials);
  process.exit(0);
}
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

async function call(path: string, input?: unknown, mutation = true, as = portal) {
  const url = `${app.url}/trpc/${path}`;
  const res = mutation
    ? await fetch(url, {
        method: "POST",
        headers: { ...as, "content-type": "application/json" },
        body: JSON.stringify({ json: input }),
      })
    : await fetch(
        input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
        { headers: as },
      );
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
}
const reachable = async () =>
  ((await call("phone.availability", undefined, false)) as { reachable: boolean }).reachable;

// A teammate (invited, accepted with a new login), whose Team page and presence stream watch the agent.
const teammateEmail = "bench-teammate@clickandcall.test";
await call("team.invite", { email: teammateEmail, role: "agent" });
await app.emailWorker.drain();
const [invitation] = await app.db.db
  .select()
  .from(outboxMessages)
  .where(eq(outboxMessages.to, teammateEmail))
  .orderBy(desc(outboxMessages.createdAt))
  .limit(1);
const token = invitation?.text.match(/\/invitation#token=([A-Za-z0-9_-]+)/)?.[1];
if (!token) throw new Error("no invitation was emailed to the teammate");
const accepted = await fetch(`${app.url}/trpc/team.acceptWithNewLogin`, {
  method: "POST",
  headers: { origin: PORTAL_ORIGIN, "content-type": "application/json" },
  body: JSON.stringify({
    json: { token, name: "Bench Teammate", password: "correct-battery-staple-43", ageConfirmed: true },
  }),
});
const teammateSession = accepted.headers
  .getSetCookie()
  .map((line) => line.split(";")[0] ?? "")
  .find((pair) => pair.startsWith("cac_session="));
if (!teammateSession) throw new Error(`accepting the invitation answered ${accepted.status}`);
const teammate = { origin: PORTAL_ORIGIN, cookie: teammateSession };
const members = (await call("team.members", undefined, false, teammate)) as Array<{
  userId: string;
  email: string;
}>;
const agentId = members.find((m) => m.email !== teammateEmail)?.userId ?? "";
const stream = await openPresenceStream(app.url, teammate);

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

// The teammate's Team page, in its own browser context (their session).
const teamContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
await teamContext.addCookies([
  { name: "cac_session", value: teammateSession.slice("cac_session=".length), url: app.url },
]);
const teamPage = await teamContext.newPage();
await teamPage.goto(`${app.url}/team`);
const agentRow = teamPage.locator("li.team-row", { hasText: "bench-owner@clickandcall.test" });
await agentRow.waitFor();
const teamShowsReachable = async () => (await agentRow.getByText("Reachable now").count()) > 0;

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const widgetMs: number[] = [];
const serverMs: number[] = [];
const streamMs: number[] = [];
const teamPageMs: number[] = [];
for (let i = 0; i < trials; i++) {
  const how = i % 2 === 0 ? "panel closed" : "set unavailable";
  await call("phone.setAvailable", { available: true });
  const close = await openPanel();
  await waitFor(reachable, "the agent to be reachable");
  await waitFor(async () => (await dialogText()).includes("Call now"), "the widget to offer the call");
  await waitFor(teamShowsReachable, "the teammate's Team page to show the agent reachable");
  // At a random moment of the widget's 5 s question cycle, as an agent's going offline would be.
  await new Promise((resolve) => setTimeout(resolve, Math.random() * 5000));
  const offline = performance.now();
  if (how === "panel closed") close();
  else await call("phone.setAvailable", { available: false });
  let serverAt = 0;
  let widgetAt = 0;
  let teamPageAt = 0;
  await Promise.all([
    waitFor(async () => !(await teamShowsReachable()), "the Team page to show it").then(() => {
      teamPageAt = performance.now();
    }),
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
  const streamAt = stream.heardAt(offline, (n) => n.userId === agentId && n.reachable === false);
  if (streamAt === null) throw new Error("the teammate's stream never heard the agent went offline");
  widgetMs.push(widgetAt - offline);
  serverMs.push(serverAt - offline);
  streamMs.push(streamAt - offline);
  teamPageMs.push(teamPageAt - offline);
  console.log(
    `trial ${i + 1} (${how}): widget ${(widgetAt - offline).toFixed(0)} ms, teammate's stream ${(streamAt - offline).toFixed(0)} ms, Team page ${(teamPageAt - offline).toFixed(0)} ms, server ${(serverAt - offline).toFixed(0)} ms`,
  );
}

console.log(`\npresence latency over ${trials} trials, one process (agent goes offline -> ...)`);
console.log(`  widget shows nobody can answer: ${summary(widgetMs)}`);
console.log(`  teammate's presence stream hears it (their phone panel, Team page): ${summary(streamMs)}`);
console.log(`  teammate's Team page shows it (Chromium): ${summary(teamPageMs)}`);
console.log(`  server counts the agent unreachable: ${summary(serverMs)}`);
console.log(`  load average before: ${loadBefore}; after: ${load()}`);

stream.close();
await browser.close();
site.close();
await app.close();
