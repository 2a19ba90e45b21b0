// npm run bench -- idle-streams [--streams 500,1000,5000] [--idle 30] [--rounds 10] [--warmup 2]
//                                [--jitter 1000] [--redis] [--profile <dir>]
//
// What idle phone panels cost one server process, and what a ring to many of them costs, for each
// count of open panels, against baselines measured in the same run:
// - memory: RSS and V8 heap per open stream (after a full GC), the app's phone.events next to a
//   bare Fastify SSE route's (the floor: a socket, a response, a timer);
// - idle CPU: the server process's over an idle window (nobody calls), and the database's: the
//   statements it ran (Postgres: pg_stat_database's transactions, and the CPU of the app's backends
//   from /proc; PGlite runs inside the server process, so its statements are counted there);
// - ring fan-out: from the widget's calls.start until the ring has reached every panel of account
//   A (all the agents), against a ring to account B's single panel;
// - calls.start during a big ring: account B's calls.start sent while A's ring fans out, against
//   the same call with nothing ringing;
// - reconnects after a restart: the server stops as SIGTERM stops it (its streams end) and a new
//   one starts on the same port and database; every panel reconnects after a random wait of up to
//   --jitter ms (the portal's first retry), resuming from its last event id, so the offered rate is
//   streams / jitter. Reconnects per second until all are connected, and until the server has
//   settled (answers its control port within 10 ms), and the server's CPU time per reconnect,
//   against the bare route's.
// The database is PGlite, or Postgres at TEST_DATABASE_URL; --redis runs pubsub (and presence,
// stream slots, limits) on Redis at REDIS_URL (default redis://127.0.0.1:6379).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { writeResult } from "./call-log";
import { nextVisitorIp } from "./lib/measure";
import { type RunningTarget, startTarget } from "./lib/spawn";
import { inBatches, openPanel, type Panel, type RingArrivals } from "./lib/sse-panel";

const { values } = parseArgs({
  options: {
    streams: { type: "string", default: "500,1000,5000" },
    idle: { type: "string", default: "30" },
    rounds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    /** Each panel reconnects after a random wait of up to this many ms, as the portal's do. */
    jitter: { type: "string", default: "1000" },
    redis: { type: "boolean", default: false },
    /** A directory: the server's CPU profile of each reconnect storm is written there. */
    profile: { type: "string" },
  },
});
const counts = values.streams.split(",").map(Number);
const idleSeconds = Number(values.idle);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const jitterMs = Number(values.jitter);
const targetModule = fileURLToPath(new URL("./lib/idle-streams-target.ts", import.meta.url));

type Memory = { rss: number; heapUsed: number };
type DbStats = { statements: number; pids: number[] };
type Quantiles = { p50: number; p95: number; max: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kb = (bytes: number) => bytes / 1024;

async function getJson<T>(url: string, method = "GET"): Promise<T> {
  const res = await fetch(url, { method }).catch(() => fetch(url, { method }));
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

function quantiles(samples: number[]): Quantiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? Number.NaN };
}

/** utime + stime of a process, in ms (clock ticks of 10 ms); 0 once it is gone. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

async function until(check: () => boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** Opens a panel, trying again (after a second) when refused or timed out: how many tries failed. */
async function openRetrying(
  failures: { count: number },
  open: () => Promise<Panel>,
  tries = 5,
): Promise<Panel> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      failures.count++;
      if (attempt >= tries) throw error;
      await sleep(1000);
    }
  }
}

type StartedCall = { sessionId: string; token: string; button: string; sentAt: number; ms: number };

/** The widget's calls.start, from a new visitor address. */
async function callsStart(request: { url: string; headers: Record<string, string>; body: string }) {
  const sentAt = performance.now();
  const response = await fetch(request.url, {
    method: "POST",
    headers: { ...request.headers, "x-forwarded-for": nextVisitorIp() },
    body: request.body,
  });
  const body = (await response.json()) as {
    result?: { data: { json: { sessionId: string; token: string } } };
  };
  const call = body.result?.data.json;
  if (!call) throw new Error(`calls.start answered ${response.status}: ${JSON.stringify(body)}`);
  const button = (JSON.parse(request.body) as { json: { button: string } }).json.button;
  return { ...call, button, sentAt, ms: performance.now() - sentAt } satisfies StartedCall;
}

type Row = {
  kind: "bare" | "app";
  streams: number;
  notes: Record<string, string>;
  rssPerStreamKb: number;
  heapPerStreamKb: number;
  openPerSecond: number;
  idle: {
    seconds: number;
    serverCpuPercent: number;
    dbStatementsPerSecond: number;
    dbCpuPercent: number | null;
  };
  /** `cpuMs`: the server's CPU time per ring to all the panels (calls.start and the fan-out). */
  ring?: { toOne: Quantiles; toAll: Quantiles; toFirst: Quantiles; cpuMs: number };
  callsStart?: { alone: Quantiles; duringRing: Quantiles; ringing: Quantiles };
  /**
   * Reconnects per second until all were connected, and until the server settled; `cpuMs`: the
   * server's CPU time per reconnect, so 1000 / cpuMs is what one core can take (wall-clock rates
   * fall with whatever else shares the machine, CPU time per reconnect barely does).
   */
  reconnect: {
    connectedPerSecond: number;
    settledPerSecond: number;
    resumed: number;
    failedTries: number;
    cpuMs: number;
    /** Database statements per reconnect. */
    statements: number;
  };
  /** The server's CPU time per first open of a stream. */
  openCpuMs: number;
  /** Opens that were refused or timed out before they succeeded (a server falling behind). */
  openFailedTries: number;
};

async function measure(kind: "bare" | "app", streams: number): Promise<Row> {
  process.env.IDLE_STREAMS_KIND = kind;
  process.env.IDLE_STREAMS_AGENTS = String(streams);
  process.env.IDLE_STREAMS_REDIS_URL = values.redis
    ? (process.env.REDIS_URL ?? "redis://127.0.0.1:6379")
    : "";
  process.env.IDLE_STREAMS_PROFILE = values.profile
    ? `${values.profile}/reconnect-${kind}-${streams}.cpuprofile`
    : "";
  const target: RunningTarget = await startTarget(targetModule, 600_000);
  const panels: Panel[] = [];
  const rings: RingArrivals = new Map();
  try {
    const { url, notes = {} } = target.info;
    const controlUrl = notes.control ?? "";
    const cookies = await getJson<string[]>(`${controlUrl}/sessions`);
    const headersOf = (i: number): Record<string, string> =>
      kind === "app"
        ? {
            cookie: cookies[i] ?? "",
            // Each agent from an address of its own, as behind the load balancer.
            "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          }
        : {};
    // Warm up: code paths compiled, pools filled, then let go.
    const warm = await inBatches(Math.min(20, streams), 20, (i) => openPanel(url, headersOf(i), rings));
    for (const panel of warm) panel.close();
    await sleep(3000);

    // Account B's one panel, the baseline of the ring.
    const panelB =
      kind === "app"
        ? await openPanel(url, { cookie: notes.cookieB ?? "", "x-forwarded-for": "10.255.0.1" }, rings)
        : null;
    const before = await getJson<Memory>(`${controlUrl}/memory`);
    const openedAt = performance.now();
    const openCpu0 = target.cpuMs() ?? 0;
    const openFailures = { count: 0 };
    panels.push(
      ...(await inBatches(streams, 100, (i) =>
        openRetrying(openFailures, () => openPanel(url, headersOf(i), rings)),
      )),
    );
    const openPerSecond = streams / ((performance.now() - openedAt) / 1000);
    const openCpuMs = ((target.cpuMs() ?? 0) - openCpu0) / streams;
    await sleep(3000);
    const open = await getJson<Memory>(`${controlUrl}/memory`);

    // Idle: nobody calls. Heartbeats and keep-alives run at 10 s: the window spans several.
    await getJson(`${controlUrl}/settle`);
    const db0 = await getJson<DbStats>(`${controlUrl}/db`);
    const pgCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
    const pgCpu0 = pgCpu(db0.pids);
    const cpu0 = target.cpuMs() ?? 0;
    const idleFrom = performance.now();
    await sleep(idleSeconds * 1000);
    const cpu1 = target.cpuMs() ?? 0;
    const idleMs = performance.now() - idleFrom;
    const db1 = await getJson<DbStats>(`${controlUrl}/db`);
    const pids = [...new Set([...db0.pids, ...db1.pids])];
    const pgCpu1 = pgCpu(pids);
    const idle = {
      seconds: idleMs / 1000,
      serverCpuPercent: ((cpu1 - cpu0) / idleMs) * 100,
      dbStatementsPerSecond: (db1.statements - db0.statements) / (idleMs / 1000),
      dbCpuPercent: db0.pids.length ? ((pgCpu1 - pgCpu0) / idleMs) * 100 : null,
    };

    let ring: Row["ring"];
    let callsStartFigures: Row["callsStart"];
    if (kind === "app") {
      const startA = JSON.parse(notes.startA ?? "{}");
      const startB = JSON.parse(notes.startB ?? "{}");
      const calls: StartedCall[] = [];
      const arrival = (call: StartedCall, panelsToReach: number) =>
        until(() => (rings.get(call.sessionId)?.count ?? 0) >= panelsToReach, "a ring to reach every panel");

      // A ring to one panel (account B), then to every panel of account A.
      const toOne: number[] = [];
      const alone: number[] = [];
      for (let round = 0; round < warmup + rounds; round++) {
        const call = await callsStart(startB);
        calls.push(call);
        await arrival(call, 1);
        if (round >= warmup) {
          toOne.push((rings.get(call.sessionId)?.lastAt ?? 0) - call.sentAt);
          alone.push(call.ms);
        }
        await sleep(50);
      }
      const toAll: number[] = [];
      const toFirst: number[] = [];
      if (values.profile) await getJson(`${controlUrl}/profile-start`);
      const ringCpu0 = target.cpuMs() ?? 0;
      for (let round = 0; round < warmup + rounds; round++) {
        const call = await callsStart(startA);
        calls.push(call);
        await arrival(call, streams);
        const arrived = rings.get(call.sessionId);
        if (round >= warmup && arrived) {
          toAll.push(arrived.lastAt - call.sentAt);
          toFirst.push(arrived.firstAt - call.sentAt);
        }
        await sleep(200);
      }
      const ringCpuMs = ((target.cpuMs() ?? 0) - ringCpu0) / (warmup + rounds);
      if (values.profile) console.log(`profile: ${await getJson<string>(`${controlUrl}/profile-stop?ring`)}`);
      // B's calls.start sent while A's ring fans out (2 ms after A's).
      const during: number[] = [];
      const ringing: number[] = [];
      for (let round = 0; round < warmup + rounds; round++) {
        const callA = callsStart(startA);
        await sleep(2);
        const callB = await callsStart(startB);
        const a = await callA;
        calls.push(a, callB);
        await Promise.all([arrival(a, streams), arrival(callB, 1)]);
        if (round >= warmup) {
          during.push(callB.ms);
          ringing.push(a.ms);
        }
        await sleep(200);
      }
      ring = {
        toOne: quantiles(toOne),
        toAll: quantiles(toAll),
        toFirst: quantiles(toFirst),
        cpuMs: ringCpuMs,
      };
      callsStartFigures = {
        alone: quantiles(alone),
        duringRing: quantiles(during),
        ringing: quantiles(ringing),
      };
      // The visitors hang up: nothing rings when the server restarts.
      const base = new URL(startA.url).origin;
      await inBatches(calls.length, 4, async (i) => {
        const call = calls[i];
        if (!call) return;
        const response = await fetch(`${base}/trpc/calls.hangUp`, {
          method: "POST",
          headers: { ...startA.headers },
          body: JSON.stringify({
            json: { button: call.button, sessionId: call.sessionId, token: call.token },
          }),
        });
        await response.arrayBuffer();
      });
      await sleep(3000);
    }

    // Reconnects after a restart: the old streams end, every panel comes back at once.
    panelB?.close();
    const lastIds = panels.map((panel) => panel.lastId);
    const resumed = lastIds.filter(Boolean).length;
    await getJson<string>(`${controlUrl}/restart`);
    await Promise.all(panels.map((panel) => panel.ended));
    if (values.profile) await getJson(`${controlUrl}/profile-start`);
    const reconnectDb0 = await getJson<DbStats>(`${controlUrl}/db`);
    const reconnectFrom = performance.now();
    const reconnectCpu0 = target.cpuMs() ?? 0;
    const reconnectFailures = { count: 0 };
    // Each on its own jittered schedule, as the portal's feed.ts retries (full jitter), not paced by
    // the server's answers: what a restart brings.
    const again = await Promise.all(
      lastIds.map(async (lastId, i) => {
        await sleep(Math.random() * jitterMs);
        return openRetrying(reconnectFailures, () => openPanel(url, headersOf(i), rings, lastId));
      }),
    );
    const connectedMs = performance.now() - reconnectFrom;
    panels.splice(0, panels.length, ...again);
    for (;;) {
      const pingFrom = performance.now();
      await getJson<string>(`${controlUrl}/ping`);
      if (performance.now() - pingFrom < 10) break;
    }
    const settledMs = performance.now() - reconnectFrom;
    const reconnectCpuMs = ((target.cpuMs() ?? 0) - reconnectCpu0) / streams;
    const reconnectStatements =
      ((await getJson<DbStats>(`${controlUrl}/db`)).statements - reconnectDb0.statements) / streams;
    if (values.profile) console.log(`profile: ${await getJson<string>(`${controlUrl}/profile-stop`)}`);

    return {
      kind,
      streams,
      notes: { database: notes.database ?? "-", pubsub: notes.pubsub ?? "-" },
      rssPerStreamKb: kb(open.rss - before.rss) / streams,
      heapPerStreamKb: kb(open.heapUsed - before.heapUsed) / streams,
      openPerSecond,
      idle,
      ...(ring ? { ring } : {}),
      ...(callsStartFigures ? { callsStart: callsStartFigures } : {}),
      reconnect: {
        connectedPerSecond: streams / (connectedMs / 1000),
        settledPerSecond: streams / (settledMs / 1000),
        resumed,
        failedTries: reconnectFailures.count,
        cpuMs: reconnectCpuMs,
        statements: reconnectStatements,
      },
      openCpuMs,
      openFailedTries: openFailures.count,
    };
  } finally {
    for (const panel of panels) panel.close();
    await target.stop();
  }
}

const loadavg = () => readFileSync("/proc/loadavg", "utf8").trim();
const f = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined ? "-" : n.toFixed(digits);
const HEADER =
  "kind  streams  RSS/stream  heap/stream  idle CPU  DB stmts/s  DB CPU  ring 1 p50  ring all p50/p95  CPU/ring  start alone p50  start in ring p50/p95  reconnects/s (connected, settled)  CPU/reconnect (per core/s)  DB stmts/rec";
const line = (row: Row) =>
  [
    row.kind.padEnd(4),
    String(row.streams).padStart(7),
    `${f(row.rssPerStreamKb)} KB`.padStart(10),
    `${f(row.heapPerStreamKb)} KB`.padStart(11),
    `${f(row.idle.serverCpuPercent)} %`.padStart(8),
    f(row.idle.dbStatementsPerSecond).padStart(10),
    (row.idle.dbCpuPercent === null ? "-" : `${f(row.idle.dbCpuPercent)} %`).padStart(6),
    `${f(row.ring?.toOne.p50)} ms`.padStart(10),
    `${f(row.ring?.toAll.p50)}/${f(row.ring?.toAll.p95)} ms`.padStart(16),
    `${f(row.ring?.cpuMs)} ms`.padStart(8),
    `${f(row.callsStart?.alone.p50)} ms`.padStart(15),
    `${f(row.callsStart?.duringRing.p50)}/${f(row.callsStart?.duringRing.p95)} ms`.padStart(21),
    `${f(row.reconnect.connectedPerSecond, 0)}, ${f(row.reconnect.settledPerSecond, 0)}`.padStart(33),
    `${f(row.reconnect.cpuMs, 2)} ms (${f(1000 / row.reconnect.cpuMs, 0)})`.padStart(26),
    f(row.reconnect.statements, 2).padStart(13),
    row.openFailedTries + row.reconnect.failedTries
      ? `(failed tries: ${row.openFailedTries} opening, ${row.reconnect.failedTries} reconnecting)`
      : "",
  ].join("  ");

console.log(
  `Idle phone panels: ${counts.join(", ")} streams on one server process, ${idleSeconds} s idle, ${rounds} rounds` +
    (process.env.TEST_DATABASE_URL ? ", Postgres" : ", PGlite") +
    (values.redis ? ", Redis" : ", in-process pubsub and presence"),
);
console.log(`load average before: ${loadavg()}`);
console.log(HEADER);
const rows: Row[] = [];
for (const streams of counts) {
  for (const kind of ["bare", "app"] as const) {
    const row = await measure(kind, streams);
    rows.push(row);
    console.log(line(row));
  }
}
console.log("");
for (const streams of counts) {
  const bare = rows.find((row) => row.kind === "bare" && row.streams === streams);
  const app = rows.find((row) => row.kind === "app" && row.streams === streams);
  if (!bare || !app?.ring || !app.callsStart) continue;
  console.log(
    `${streams} streams: heap/stream ${(app.heapPerStreamKb / bare.heapPerStreamKb).toFixed(1)}× the bare route's; ` +
      `ring to all ${(app.ring.toAll.p50 / app.ring.toOne.p50).toFixed(1)}× a ring to one (p50); ` +
      `calls.start during the ring ${(app.callsStart.duringRing.p50 / app.callsStart.alone.p50).toFixed(1)}× alone (p50); ` +
      `reconnects ${(app.reconnect.settledPerSecond / bare.reconnect.settledPerSecond).toFixed(2)}× the bare route's (settled), ` +
      `CPU per reconnect ${(app.reconnect.cpuMs / bare.reconnect.cpuMs).toFixed(1)}× the bare route's`,
  );
}
console.log(`load average after: ${loadavg()}`);
console.log(
  `Written: ${writeResult("idle-streams", { counts, idleSeconds, rounds, warmup, jitterMs, redis: values.redis, rows })}`,
);
process.exit(0);
