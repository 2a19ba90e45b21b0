// npm run bench -- embedded-db-memory [--runs 3] [--idle 10]
//
// The server as `npm start` runs it (apps/server/build.mjs, then plain Node on the bundle) on the
// embedded database (PGlite), against the same bundle on PostgreSQL as the baseline, in one run:
//
// - fresh: a new, empty data directory (the first `npm start` on a machine: the database is
//   created, then migrated);
// - warm: the same directory again (every later start);
// - postgres: a new database on the server at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
//   started twice too (its first start migrates it).
//
// Each start is timed from the spawn to the first 200 of /healthz, in wall time and in the CPU time
// of the server and its children (which a busy machine inflates far less). Its RSS is read then,
// and again after `--idle` seconds with nothing asked of it (the idle figure); its peak RSS
// (VmHWM) at that point, and the peak of the RSS summed over the server and any process it started
// (sampled every 25 ms during start: the embedded database is created in a short-lived child).
// The kinds alternate in each of `--runs` rounds; medians are reported, with each kind's idle RSS
// as a ratio of PostgreSQL's.
// Goals: ≤ 250 MB RSS idle on PGlite, and ≤ 2 s to /healthz on a warm start.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createTestDatabase } from "@cac/db/testing";
import { writeResult } from "./call-log";

const serverDir = fileURLToPath(new URL("../apps/server/", import.meta.url));
const OUTDIR = "dist-bench";
const MB = 1024 * 1024;

type Start = {
  kind: string;
  startMs: number;
  /** CPU time the start took (the server's and its children's): a busy machine inflates it far less. */
  startCpuMs: number;
  rssAtReady: number;
  rssIdle: number;
  peak: number;
  treePeak: number;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** VmRSS and VmHWM of a process, in bytes (0 once it has exited). */
function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** utime + stime of a process and of its children it waited for, in ms (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0) * 10;
  } catch {
    return 0;
  }
}

/** The process and every process under it. */
function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const children = readFileSync(`/proc/${all[i]}/task/${task}/children`, "utf8").trim();
        if (children) all.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // Exited meanwhile.
    }
  }
  return all;
}

async function startServer(kind: string, cwd: string, env: Record<string, string>, idleSeconds: number) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [join(serverDir, OUTDIR, "main.js")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const pid = child.pid ?? 0;
  let treePeak = 0;
  const sampler = setInterval(() => {
    const total = processTree(pid).reduce((sum, p) => sum + memoryOf(p).rss, 0);
    treePeak = Math.max(treePeak, total);
  }, 25);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the ${kind} server exited early: ${stderr}`);
      if (performance.now() - started > 120_000)
        throw new Error(`the ${kind} server did not answer: ${stderr}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const startMs = performance.now() - started;
    const startCpuMs = cpuMsOf(pid);
    clearInterval(sampler);
    const rssAtReady = memoryOf(pid).rss;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const { rss: rssIdle, hwm: peak } = memoryOf(pid);
    return {
      kind,
      startMs,
      startCpuMs,
      rssAtReady,
      rssIdle,
      peak,
      treePeak: Math.max(treePeak, peak),
    } satisfies Start;
  } finally {
    await stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "3" }, idle: { type: "string", default: "10" } },
  });
  const runs = Number(values.runs);
  const idle = Number(values.idle);
  const postgresServer = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
  console.log(
    `Embedded database memory and start-up: the built server, ${runs} rounds, ${idle} s idle, ` +
      `${cpus().length} CPUs, load average ${load()}`,
  );
  console.log(`Building the server into apps/server/${OUTDIR} …`);
  await new Promise<void>((resolve, reject) => {
    const build = spawn(process.execPath, ["build.mjs", "--outdir", OUTDIR], {
      cwd: serverDir,
      stdio: "inherit",
    });
    build.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`build failed (${code})`))));
  });

  const results: Start[] = [];
  const scratch: string[] = [];
  try {
    for (let round = 0; round < runs; round++) {
      const kinds = round % 2 === 0 ? ["pglite", "postgres"] : ["postgres", "pglite"];
      for (const kind of kinds) {
        const cwd = mkdtempSync(join(tmpdir(), "cac-bench-start-"));
        scratch.push(cwd);
        if (kind === "pglite") {
          const env = { DATA_DIR: join(cwd, "data") };
          results.push(await startServer("pglite fresh", cwd, env, idle));
          results.push(await startServer("pglite warm", cwd, env, idle));
        } else {
          const database = await createTestDatabase(postgresServer);
          try {
            const env = { DATA_DIR: join(cwd, "data"), DATABASE_URL: database.url };
            results.push(await startServer("postgres first", cwd, env, idle));
            results.push(await startServer("postgres warm", cwd, env, idle));
          } finally {
            await database.drop();
          }
        }
        process.stdout.write(".");
      }
    }
  } finally {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
    rmSync(join(serverDir, OUTDIR), { recursive: true, force: true });
  }

  const kinds = ["pglite fresh", "pglite warm", "postgres first", "postgres warm"];
  const summary = Object.fromEntries(
    kinds.map((kind) => {
      const of = results.filter((r) => r.kind === kind);
      const pick = (key: keyof Omit<Start, "kind">) => median(of.map((r) => r[key]));
      return [
        kind,
        {
          startMs: pick("startMs"),
          startCpuMs: pick("startCpuMs"),
          rssAtReady: pick("rssAtReady"),
          rssIdle: pick("rssIdle"),
          peak: pick("peak"),
          treePeak: pick("treePeak"),
        },
      ];
    }),
  ) as Record<string, Omit<Start, "kind">>;
  const baseline = summary["postgres warm"]?.rssIdle ?? Number.NaN;
  const mb = (bytes: number) => (bytes / MB).toFixed(0);
  console.log(
    `\n\n${"".padEnd(16)}${"start ms".padStart(10)}${"cpu ms".padStart(8)}${"RSS ready".padStart(11)}${"RSS idle".padStart(10)}` +
      `${"vs PG idle".padStart(12)}${"peak".padStart(8)}${"tree peak".padStart(11)}   (MB, medians)`,
  );
  for (const kind of kinds) {
    const s = summary[kind];
    if (!s) continue;
    console.log(
      `${kind.padEnd(16)}${s.startMs.toFixed(0).padStart(10)}${s.startCpuMs.toFixed(0).padStart(8)}${mb(s.rssAtReady).padStart(11)}${mb(s.rssIdle).padStart(10)}` +
        `${`${(s.rssIdle / baseline).toFixed(2)}x`.padStart(12)}${mb(s.peak).padStart(8)}${mb(s.treePeak).padStart(11)}`,
    );
  }
  const fresh = summary["pglite fresh"];
  const warm = summary["pglite warm"];
  const idleMet =
    Math.max(fresh?.rssIdle ?? Number.POSITIVE_INFINITY, warm?.rssIdle ?? Number.POSITIVE_INFINITY) <=
    250 * MB;
  const startMet = (warm?.startMs ?? Number.POSITIVE_INFINITY) <= 2000;
  console.log(
    `\n${idleMet ? "Goal met" : "Goal missed"}: idle RSS on PGlite ${mb(fresh?.rssIdle ?? 0)} MB fresh, ` +
      `${mb(warm?.rssIdle ?? 0)} MB warm (goal ≤ 250 MB; PostgreSQL ${mb(baseline)} MB).`,
  );
  console.log(
    `${startMet ? "Goal met" : "Goal missed"}: a warm start answers /healthz in ${(warm?.startMs ?? 0).toFixed(0)} ms ` +
      `(goal ≤ 2,000 ms; fresh ${(fresh?.startMs ?? 0).toFixed(0)} ms). Load average now ${load()}.`,
  );
  console.log(
    `Written: ${writeResult("embedded-db-memory", { runs, idleSeconds: idle, loadavg: loadavg(), summary, results })}`,
  );
  return idleMet && startMet ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
