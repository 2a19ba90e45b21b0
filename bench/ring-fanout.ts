// npm run bench -- ring-fanout [--agents 50] [--rounds 30] [--warmup 5] [--redis]
//
// How long a ring takes to reach every agent of an account: the time from the visitor's
// calls.start (POST, sent by this process) until the ring event has arrived on the phone panel
// stream (phone.events, SSE) of each of the account's available agents, for 1 agent and for
// `--agents`, in the same run, and their ratio. The server runs in a process of its own (the real
// app, bench/lib/ring-fanout-target.ts); the agents' streams are EventSources in this process.
// Pubsub in-process, or Redis (REDIS_URL, default redis://127.0.0.1:6379) with --redis, as several
// instances run it. Each round is one call from a new visitor address; calls ring until the end.
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EventSource } from "eventsource";
import { writeResult } from "./call-log";
import { checkTarget, nextVisitorIp } from "./lib/measure";
import { PORTAL_ORIGIN } from "./lib/real-app";
import { startTarget } from "./lib/spawn";

const { values } = parseArgs({
  options: {
    agents: { type: "string", default: "50" },
    rounds: { type: "string", default: "30" },
    warmup: { type: "string", default: "5" },
    redis: { type: "boolean", default: false },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const targetModule = fileURLToPath(new URL("./lib/ring-fanout-target.ts", import.meta.url));

type Panel = { source: EventSource; connected: boolean; rings: Map<string, number> };

function openPanel(origin: string, cookie: string): Panel {
  const panel: Panel = { source: undefined as unknown as EventSource, connected: false, rings: new Map() };
  panel.source = new EventSource(`${origin}/trpc/phone.events`, {
    fetch: (url, init) => {
      const headers = new Headers(init?.headers);
      headers.set("cookie", cookie);
      headers.set("origin", PORTAL_ORIGIN);
      return fetch(url, { ...init, headers });
    },
  });
  panel.source.addEventListener("connected", () => {
    panel.connected = true;
  });
  panel.source.addEventListener("message", (event) => {
    const data = (JSON.parse(event.data) as { json: { type: string; call?: { sessionId: string } } }).json;
    if (data.type === "ring" && data.call) panel.rings.set(data.call.sessionId, performance.now());
  });
  return panel;
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Rings `agents` agents `rounds` times; the ms until the last of them got each ring. */
async function measureFanout(agents: number) {
  process.env.RING_FANOUT_AGENTS = String(agents);
  process.env.RING_FANOUT_REDIS_URL = values.redis ? (process.env.REDIS_URL ?? "redis://127.0.0.1:6379") : "";
  const target = await startTarget(targetModule);
  const panels: Panel[] = [];
  try {
    const { info } = target;
    await checkTarget(info);
    const origin = new URL(info.url).origin;
    for (const cookie of JSON.parse(info.notes?.cookies ?? "[]") as string[])
      panels.push(openPanel(origin, cookie));
    await until(() => panels.every((panel) => panel.connected), `${agents} phone panels to connect`);
    const toAll: number[] = [];
    const toFirst: number[] = [];
    for (let round = 0; round < warmup + rounds; round++) {
      const sent = performance.now();
      const response = await fetch(info.url, {
        method: "POST",
        headers: { ...info.headers, "x-forwarded-for": nextVisitorIp() },
        body: info.body,
      });
      const body = (await response.json()) as { result?: { data: { json: { sessionId: string } } } };
      const sessionId = body.result?.data.json.sessionId;
      if (!sessionId) throw new Error(`calls.start answered ${response.status}: ${JSON.stringify(body)}`);
      await until(() => panels.every((panel) => panel.rings.has(sessionId)), "the ring to reach every panel");
      const arrivals = panels.map((panel) => (panel.rings.get(sessionId) ?? sent) - sent);
      if (round >= warmup) {
        toAll.push(Math.max(...arrivals));
        toFirst.push(Math.min(...arrivals));
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    toAll.sort((a, b) => a - b);
    toFirst.sort((a, b) => a - b);
    return {
      agents,
      notes: { database: info.notes?.database, pubsub: info.notes?.pubsub },
      toAllMs: { p50: quantile(toAll, 0.5), p95: quantile(toAll, 0.95), max: toAll.at(-1) },
      toFirstMs: { p50: quantile(toFirst, 0.5) },
    };
  } finally {
    for (const panel of panels) panel.source.close();
    await target.stop();
  }
}

console.log(
  `Ring fan-out: 1 agent vs ${values.agents}, ${warmup} warmup + ${rounds} rounds each, pubsub ${values.redis ? "Redis" : "in-process"}`,
);
const one = await measureFanout(1);
const many = await measureFanout(Number(values.agents));
const ratio = many.toAllMs.p50 / one.toAllMs.p50;
const fmt = (ms: number | undefined) => (ms === undefined ? "-" : ms.toFixed(2));
console.log("agents  to all p50 ms  to all p95 ms  to all max ms  to first p50 ms");
for (const row of [one, many]) {
  console.log(
    `${String(row.agents).padStart(6)}  ${fmt(row.toAllMs.p50).padStart(13)}  ${fmt(row.toAllMs.p95).padStart(13)}  ${fmt(row.toAllMs.max).padStart(13)}  ${fmt(row.toFirstMs.p50).padStart(15)}`,
  );
}
console.log(
  `${values.agents} agents vs 1: ${ratio.toFixed(2)}x the time for a ring to reach them all (p50), database ${one.notes.database}, pubsub ${one.notes.pubsub}`,
);
console.log(`Written: ${writeResult("ring-fanout", { rounds, warmup, one, many, ratio })}`);
process.exit(0);
