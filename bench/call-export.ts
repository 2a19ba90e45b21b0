// npm run bench -- call-export [--reseed]
//
// CSV export of 1,000,000 call sessions through the real HTTP route (GET /exports/calls.csv)
// of the real server (built, as `npm start` runs it; and from source through tsx, next to it),
// running in its own process on the `cac_bench` database seeded by the
// call-log bench (seeded here when missing). Reports rows per second and the server's peak RSS
// (Linux VmHWM, reset just before the export, and VmRSS sampled every 20 ms), next to baselines
// measured in the same run: the same batches read straight from Postgres without HTTP, and the
// server's RSS at rest. A slow client then reads for a few seconds to show that backpressure
// keeps the server's memory flat, and the whole run is repeated with the server's V8 old
// generation capped, to show the export's live memory stays at a few batches. The Postgres CPU
// of one 10,000-row batch is measured too, next to the batch query's previous shape, alternating
// (a busy machine inflates rates, barely CPU time).
// Goals: ≥ 100,000 rows/s and < 200 MB peak RSS.
// CAC_BENCH_MEMLOG=1 makes the server print process.memoryUsage() every 500 ms (to stderr).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { callExportLineBatches, EXPORT_BATCH, resolveCallLogFilter } from "@cac/core";
import { createDb, type Db } from "@cac/db";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { buildApp } from "../apps/server/src/app";
import { loadConfig } from "../apps/server/src/config";
import { benchSessionCookie, benchUrls, MAIN_ROWS, seedCallLog, writeResult } from "./call-log";
import { startTarget } from "./lib/spawn";
import { defineTarget } from "./lib/target";

/** The server under test, started in a child process by bench/lib (child.ts). */
export default defineTarget({
  name: "call-export-server",
  description: "real app on the cac_bench database",
  async start() {
    const dataDir = mkdtempSync(join(tmpdir(), "cac-bench-export-"));
    const config = loadConfig({
      NODE_ENV: "production",
      PUBLIC_URL: "http://localhost:3000",
      DATABASE_URL: benchUrls().bench,
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      LOG_LEVEL: "silent",
      // No mailer: the seeded accounts get no email, and none is sent during the export.
      ALLOW_DEV_OUTBOX_IN_PRODUCTION: "true",
    });
    const built = await buildApp(config, { jobs: false });
    if (process.env.CAC_BENCH_MEMLOG) {
      setInterval(() => {
        const m = process.memoryUsage();
        const mb = (n: number) => (n / 1048576).toFixed(0);
        console.error(
          `mem rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}`,
        );
      }, 500).unref();
    }
    await built.app.listen({ port: 0, host: "127.0.0.1" });
    const address = built.app.server.address();
    if (!address || typeof address === "string") throw new Error("no TCP address");
    return {
      url: `http://127.0.0.1:${address.port}`,
      notes: { pid: String(process.pid) },
      async stop() {
        await built.app.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
});

function procStatus(pid: number): { rssMb: number; hwmMb: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? Number.NaN);
  return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
}

/** Resets the peak-RSS counter of a process (Linux: writing 5 to clear_refs). */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

function sampler(pid: number, everyMs = 20) {
  let peak = 0;
  const samples: number[] = [];
  const timer = setInterval(() => {
    const { rssMb } = procStatus(pid);
    peak = Math.max(peak, rssMb);
    samples.push(rssMb);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakMb: peak, samples: samples.length };
    },
  };
}

type ExportRun = {
  rows: number;
  bytes: number;
  seconds: number;
  headersMs: number;
  firstByteMs: number;
  idleMb: number;
  peakMb: number;
  slowBytes: number;
  slowStartMb: number;
  slowPeakMb: number;
  /** CPU time of the server process and of this process (the client) during the full export. */
  serverCpuSeconds: number;
  clientCpuSeconds: number;
};

/** utime + stime of a process, in seconds (clock ticks of 10 ms). */
function processCpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type RunningServer = { url: string; pid: number; stop(): Promise<void> };

/** From source: buildApp in a child process run through the TypeScript loader (tsx). */
async function startFromSource(nodeOptions?: string): Promise<RunningServer> {
  // The child inherits the environment when it is forked (synchronously, inside startTarget).
  const saved = process.env.NODE_OPTIONS;
  if (nodeOptions) process.env.NODE_OPTIONS = [saved, nodeOptions].filter(Boolean).join(" ");
  const started = startTarget(fileURLToPath(import.meta.url));
  if (saved === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved;
  const server = await started;
  return { url: server.info.url, pid: Number(server.info.notes?.pid), stop: server.stop };
}

const serverDir = fileURLToPath(new URL("../apps/server/", import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** As `npm start` runs it: the built server (apps/server/dist/main.js) under plain Node. */
async function startBuilt(nodeOptions?: string): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "cac-bench-export-"));
  const child = spawn(process.execPath, [...(nodeOptions ? [nodeOptions] : []), "dist/main.js"], {
    cwd: serverDir,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PUBLIC_URL: "http://localhost:3000",
      DATABASE_URL: benchUrls().bench,
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "silent",
      // No mailer: the seeded accounts get no email, and none is sent during the export.
      ALLOW_DEV_OUTBOX_IN_PRODUCTION: "true",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the built server exited with code ${child.exitCode}`);
    if (i > 600) throw new Error("the built server did not answer /healthz within 60 s");
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts a server, exports everything, then reads slowly for 5 s. */
async function exportThroughServer(
  cookie: string,
  warmFrom: string,
  launch: () => Promise<RunningServer>,
): Promise<ExportRun> {
  const server = await launch();
  try {
    const pid = server.pid;
    const url = `${server.url}/exports/calls.csv`;
    // Warm up the route (and the session) with a small filtered export.
    const warm = await fetch(`${url}?from=${warmFrom}`, { headers: { cookie } });
    if (!warm.ok) throw new Error(`the export answered ${warm.status}: ${await warm.text()}`);
    await warm.arrayBuffer();
    const idle = procStatus(pid);
    const peakReset = resetPeak(pid);

    // The full export, read as fast as the client can.
    const sampling = sampler(pid);
    const serverCpu = processCpuSeconds(pid);
    const clientCpu = process.cpuUsage();
    const t = performance.now();
    const response = await fetch(url, { headers: { cookie } });
    const headersMs = performance.now() - t;
    if (!response.ok || !response.body) throw new Error(`the export answered ${response.status}`);
    const announced = Number(response.headers.get("x-total-rows"));
    let bytes = 0;
    let lines = 0;
    let firstByteMs = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      if (!firstByteMs) firstByteMs = performance.now() - t;
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    const seconds = (performance.now() - t) / 1000;
    const serverCpuSeconds = processCpuSeconds(pid) - serverCpu;
    const client = process.cpuUsage(clientCpu);
    const clientCpuSeconds = (client.user + client.system) / 1e6;
    const sampled = sampling.stop();
    const rows = lines - 1;
    if (rows !== announced) throw new Error(`X-Total-Rows said ${announced}, the body held ${rows} rows`);
    const peakMb = Math.max(sampled.peakMb, peakReset ? procStatus(pid).hwmMb : 0);

    // A slow client: ~2 MB/s for 5 s. The server must hold back, not buffer the file.
    const slowStartMb = procStatus(pid).rssMb;
    resetPeak(pid);
    const slowSampling = sampler(pid);
    const abort = new AbortController();
    const slow = await fetch(url, { headers: { cookie }, signal: abort.signal });
    const reader = slow.body!.getReader();
    let slowBytes = 0;
    const slowStart = performance.now();
    while (performance.now() - slowStart < 5000) {
      const { value, done } = await reader.read();
      if (done) break;
      slowBytes += value.length;
      await new Promise((resolve) => setTimeout(resolve, (value.length / 2_000_000) * 1000));
    }
    abort.abort();
    await reader.cancel().catch(() => {});
    const slowPeakMb = Math.max(slowSampling.stop().peakMb, peakReset ? procStatus(pid).hwmMb : 0);
    return {
      rows,
      bytes,
      seconds,
      headersMs,
      firstByteMs,
      idleMb: idle.rssMb,
      peakMb,
      slowBytes,
      slowStartMb,
      slowPeakMb,
      serverCpuSeconds,
      clientCpuSeconds,
    };
  } finally {
    await server.stop();
  }
}

// --- Postgres CPU per batch: the query the export runs now vs its previous shape ------------------

/** One CSV cell of a text expression, as the export wrote it before (and still does for text). */
const previousCsvText = (x: string) => {
  const neutralized = `(case when left(${x}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then '''' || ${x} else ${x} end)`;
  return `(case when ${x} is null then '' when strpos(${x}, '"') + strpos(${x}, ',') + strpos(${x}, chr(10)) + strpos(${x}, chr(13)) > 0 then '"' || replace(${neutralized}, '"', '""') || '"' else ${neutralized} end)`;
};

/**
 * The first 10,000-row batch as the export queried it before (the button's cell and the cursor
 * written for every call, the line ending concatenated twice). $1 account, $2 timezone.
 */
const PREVIOUS_BATCH_SQL = `
  select (n - 1) / 500 as chunk, string_agg(line, '' order by n) as text,
    max(micros) filter (where n = 10000) as micros, max(id::text) filter (where n = 10000) as id
  from (
    select concat_ws(',', cs.id::text,
        to_char(cs.started_at at time zone $2, 'YYYY-MM-DD HH24:MI:SS'),
        to_char(cs.started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        ${previousCsvText("coalesce(b.name, 'Deleted button')")},
        cs.status, cs.transport, cs.duration_seconds::text, ((cs.duration_seconds + 59) / 60)::text,
        ${previousCsvText("cs.visitor_ip")}, ${previousCsvText("cs.page_url")}, ${previousCsvText("cs.failure_reason")}
      ) || chr(13) || chr(10) as line,
      (extract(epoch from cs.started_at) * 1000000)::bigint::text as micros, cs.id as id,
      row_number() over (order by cs.started_at desc, cs.id desc) as n
    from call_sessions cs left join buttons b on b.id = cs.button_id
    where cs.account_id = $1
    order by cs.started_at desc, cs.id desc
    limit 10000
  ) batch
  group by chunk
  order by chunk`;

/**
 * Postgres backend CPU for one 10,000-row batch, the current query (captured from the service)
 * against the previous one, alternating on one connection: a figure a busy machine barely
 * inflates, unlike the rates above.
 */
async function batchCpu(url: string, account: { id: string; timezone: string }, rounds = 15) {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const captured: Array<{ sql: string; params: unknown[] }> = [];
    const db = drizzle(client, {
      casing: "snake_case",
      logger: { logQuery: (query, params) => captured.push({ sql: query, params }) },
    }) as unknown as Db;
    const filter = await resolveCallLogFilter({ db }, account, {});
    const start = {
      micros: BigInt(Date.now() + 86_400_000) * 1000n,
      id: "ffffffff-ffff-ffff-ffff-ffffffffffff",
    };
    for await (const _ of callExportLineBatches({ db }, filter, start)) break;
    await client`select 1`; // the next batch, asked for ahead, has finished too
    const current = captured.find((q) => q.sql.includes("string_agg"));
    if (!current) throw new Error("the export's batch query was not captured");
    const [backend] = await client`select pg_backend_pid() as pid`;
    const cpu = () => {
      const fields = readFileSync(`/proc/${backend!.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const used = { current: 0, previous: 0 };
    const run = {
      current: () => client.unsafe(current.sql, current.params as never[]),
      previous: () => client.unsafe(PREVIOUS_BATCH_SQL, [account.id, account.timezone]),
    };
    const [a, b] = [await run.current(), await run.previous()];
    if (a.map((r) => r.text).join("") !== b.map((r) => r.text).join(""))
      throw new Error("the current and previous batch queries wrote different CSV");
    for (let round = 0; round < rounds; round++) {
      for (const name of round % 2
        ? (["previous", "current"] as const)
        : (["current", "previous"] as const)) {
        const before = cpu();
        await run[name]();
        used[name] += cpu() - before;
      }
    }
    return { currentMs: used.current / rounds, previousMs: used.previous / rounds, rounds };
  } finally {
    await client.end();
  }
}

async function main() {
  const { values } = parseArgs({ options: { reseed: { type: "boolean", default: false } } });
  if (process.platform !== "linux")
    throw new Error("this bench reads /proc for the server's memory (Linux only)");
  console.log(
    `CSV export of ${MAIN_ROWS.toLocaleString("en-US")} call sessions through GET /exports/calls.csv`,
  );
  const seeded = await seedCallLog({ reseed: values.reseed });
  const cookie = await benchSessionCookie(seeded);
  console.log(
    `  load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );

  // Baseline: the same keyset batches of CSV lines read straight from Postgres, no HTTP.
  const handle = await createDb({ url: seeded.url, maxConnections: 2 });
  const filter = await resolveCallLogFilter(handle, seeded.account, {});
  const t = performance.now();
  let dbRows = 0;
  const everything = {
    micros: BigInt(Date.now() + 86_400_000) * 1000n,
    id: "ffffffff-ffff-ffff-ffff-ffffffffffff",
  };
  for await (const text of callExportLineBatches(handle, filter, everything)) {
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) dbRows++;
  }
  const dbSeconds = (performance.now() - t) / 1000;
  await handle.close();
  const dbRate = dbRows / dbSeconds;
  console.log(
    `  baseline, the same batches from Postgres without HTTP: ${dbRows.toLocaleString("en-US")} rows in ${dbSeconds.toFixed(2)} s`,
  );

  const batch = await batchCpu(seeded.url, seeded.account);
  const perRow = (ms: number) => `${((ms * 1000) / EXPORT_BATCH).toFixed(2)} µs/row`;
  console.log(
    `  Postgres CPU per ${EXPORT_BATCH.toLocaleString("en-US")}-row batch (${batch.rounds} runs each, alternating): ` +
      `${batch.currentMs.toFixed(1)} ms (${perRow(batch.currentMs)}), previous query ${batch.previousMs.toFixed(1)} ms ` +
      `(${perRow(batch.previousMs)}), ${((batch.currentMs / batch.previousMs) * 100).toFixed(0)} % of it; ` +
      `at most ${Math.round((EXPORT_BATCH / batch.currentMs) * 1000).toLocaleString("en-US")} rows per Postgres CPU-second`,
  );

  const warmFrom = new Date(+seeded.anchor - 86_400_000).toISOString().slice(0, 10);
  // The server as `npm start` runs it (built, plain Node) is what the goals are about.
  execFileSync(process.execPath, ["build.mjs"], { cwd: serverDir, stdio: "inherit" });
  console.log("  export from the built server (npm start), default V8 heap settings ...");
  const plain = await exportThroughServer(cookie, warmFrom, () => startBuilt());
  // The same with the old generation capped: it completes at the same speed, which shows the
  // export's live memory is a few batches and the growth above is garbage not yet collected.
  const capMb = 96;
  console.log(`  export from the built server, old generation capped at ${capMb} MB ...`);
  const capped = await exportThroughServer(cookie, warmFrom, () =>
    startBuilt(`--max-old-space-size=${capMb}`),
  );
  // From source, through the TypeScript loader (npm run dev, the tests): the loader's own memory.
  console.log("  export from source (tsx), default V8 heap settings ...");
  const source = await exportThroughServer(cookie, warmFrom, () => startFromSource());

  const rate = (r: ExportRun) => r.rows / r.seconds;
  const mb = (n: number) => `${n.toFixed(0)} MB`;
  const column = (r: ExportRun) => [
    `${r.rows.toLocaleString("en-US")}`,
    `${(r.bytes / 1024 / 1024).toFixed(1)} MB`,
    `${r.headersMs.toFixed(0)} ms`,
    `${r.firstByteMs.toFixed(0)} ms`,
    `${r.seconds.toFixed(2)} s`,
    `${r.serverCpuSeconds.toFixed(2)} s`,
    `${r.clientCpuSeconds.toFixed(2)} s`,
    `${Math.round(rate(r)).toLocaleString("en-US")} ${rate(r) >= 100_000 ? "(ok)" : "(MISSED)"}`,
    `${((rate(r) / dbRate) * 100).toFixed(0)} %`,
    mb(r.idleMb),
    `${mb(r.peakMb)} ${r.peakMb < 200 ? "(ok)" : "(MISSED)"}`,
    `+${mb(r.peakMb - r.idleMb)}`,
    `+${mb(r.slowPeakMb - r.slowStartMb)} (${(r.slowBytes / 1024 / 1024).toFixed(1)} MB read)`,
  ];
  const labels = [
    "rows exported (= X-Total-Rows)",
    "bytes",
    "headers after (count first)",
    "first byte after",
    "total time",
    "  server process CPU",
    "  client (this process) CPU",
    "rows per second (goal ≥ 100,000)",
    "  share of the Postgres-only rate",
    "server RSS at rest",
    "server peak RSS (goal < 200 MB)",
    "  peak over rest",
    "slow client (2 MB/s, 5 s): RSS growth",
  ];
  const a = column(plain);
  const b = column(capped);
  const c = column(source);
  console.log("");
  console.log(
    `${"".padEnd(38)}${"built, default heap".padStart(26)}${`built, old space ${capMb} MB`.padStart(28)}${"source (tsx)".padStart(26)}`,
  );
  for (const [i, label] of labels.entries()) {
    console.log(`${label.padEnd(38)}${a[i]!.padStart(26)}${b[i]!.padStart(28)}${c[i]!.padStart(26)}`);
  }
  console.log(
    `${"Postgres-only baseline".padEnd(38)}${`${Math.round(dbRate).toLocaleString("en-US")} rows/s`.padStart(24)}`,
  );
  const ok = rate(plain) >= 100_000 && plain.peakMb < 200;
  console.log(ok ? "\nAll goals met." : "\nMissed goals (see above).");
  console.log(
    `Written: ${writeResult("call-export", {
      load: loadavg(),
      baselineDb: { rows: dbRows, seconds: dbSeconds, rowsPerSecond: dbRate },
      batchCpu: batch,
      plain: { ...plain, rowsPerSecond: rate(plain) },
      capped: { ...capped, rowsPerSecond: rate(capped), maxOldSpaceMb: capMb },
      source: { ...source, rowsPerSecond: rate(source) },
    })}`,
  );
  return ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
