// npm run bench                         every registered benchmark
// npm run bench -- healthz              only the named ones (the baseline always runs too)
// npm run bench -- --duration 10 --warmup 3 --connections 20
// Results: a table on stdout and bench/results/bench-<time>.json (not committed).
//
// To add an HTTP benchmark: write bench/targets/<name>.ts exporting `defineTarget({...})` and
// register it in `registry` below. Each target runs in its own child process; the load comes
// from here, and its figure is reported next to the bare baseline's.
//
// A benchmark of another kind (its own setup, timing and report) is a script registered in
// `standalone`: `npm run bench -- <name> [its own options]` runs it alone, with those options.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkTarget, type LoadOptions, measure } from "./lib/measure";
import { printRelative, printTable, type Row, writeJson } from "./lib/report";
import { startTarget } from "./lib/spawn";
import type { BenchTarget } from "./lib/target";

const BASELINE = "fastify-hello";

/** name -> module. The first one is the baseline that every ratio refers to. */
const registry: Record<string, string> = {
  [BASELINE]: "./targets/fastify-hello.ts",
  healthz: "./targets/healthz.ts",
  "trpc-account-me": "./targets/trpc-account-me.ts",
  "widget-config": "./targets/widget-config.ts",
  "config-10k": "./targets/config-10k.ts",
  "config-10k-shared": "./targets/config-10k-shared.ts",
  "config-304": "./targets/config-304.ts",
  "calls-start": "./targets/calls-start.ts",
  "calls-start-redis": "./targets/calls-start-redis.ts",
  "calls-start-usage-0": "./targets/calls-start-usage-0.ts",
  "calls-start-usage-10k": "./targets/calls-start-usage-10k.ts",
  "calls-start-usage-100k": "./targets/calls-start-usage-100k.ts",
};

/** name -> script, run only when named, e.g. `npm run bench -- call-log --reseed`. */
const standalone: Record<string, string> = {
  "call-log": "./call-log.ts",
  "call-export": "./call-export.ts",
  "call-reports": "./call-reports.ts",
  "widget-paint": "./widget-paint.ts",
  "calls-start-limiter": "./calls-start-limiter.ts",
  "account-timing": "./account-timing.ts",
  "ring-fanout": "./ring-fanout.ts",
  "sse-memory": "./sse-memory.ts",
  "embedded-db-memory": "./embedded-db-memory.ts",
  "cpu-profile": "./cpu-profile.ts",
  "idle-streams": "./idle-streams.ts",
  "presence-latency": "./presence-latency.ts",
  "push-latency": "./push-latency.ts",
  profile: "./profile.ts",
};

const [first, ...rest] = process.argv.slice(2);
if (first && first in standalone) {
  const script = fileURLToPath(new URL(standalone[first] ?? "", import.meta.url));
  if (!existsSync(script)) {
    console.error(`The ${first} benchmark (${script}) is not in this checkout.`);
    process.exit(2);
  }
  const child = spawnSync(process.execPath, ["--import", "tsx", script, ...rest], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    list: { type: "boolean", default: false },
  },
});

if (values.list) {
  for (const name of Object.keys(registry)) console.log(name);
  for (const name of Object.keys(standalone)) console.log(`${name} (standalone: npm run bench -- ${name})`);
  process.exit(0);
}

const unknown = positionals.filter((name) => !(name in registry));
if (unknown.length > 0) {
  const known = [...Object.keys(registry), ...Object.keys(standalone)].join(", ");
  console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Known: ${known}`);
  process.exit(2);
}
const selected = [BASELINE, ...(positionals.length ? positionals : Object.keys(registry))].filter(
  (name, index, all) => all.indexOf(name) === index,
);

const load: LoadOptions = {
  durationSeconds: Number(values.duration),
  warmupSeconds: Number(values.warmup),
  connections: Number(values.connections),
};
console.log(
  `Click & Call benchmarks: ${load.connections} connections, ${load.warmupSeconds}s warmup + ${load.durationSeconds}s each` +
    (process.env.TEST_DATABASE_URL
      ? ", database: Postgres at TEST_DATABASE_URL"
      : ", database: in-memory PGlite") +
    `; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
);

const rows: Row[] = [];
let failed = false;
for (const name of selected) {
  const modulePath = fileURLToPath(new URL(registry[name] ?? "", import.meta.url));
  const target = ((await import(modulePath)) as { default: BenchTarget }).default;
  process.stdout.write(`- ${name}: ${target.description} ... `);
  let running: Awaited<ReturnType<typeof startTarget>> | undefined;
  try {
    running = await startTarget(modulePath, target.startTimeoutMs);
    await checkTarget(running.info);
    const result = await measure(running.info, load, running.cpuMs);
    const baseline = rows.find((row) => row.name === BASELINE)?.result.requestsPerSecond;
    rows.push({
      name,
      description: target.description,
      notes: running.info.notes ?? {},
      result,
      ratioToBaseline: baseline ? result.requestsPerSecond / baseline : null,
      ...(running.info.relativeTo ? { relativeTo: running.info.relativeTo } : {}),
    });
    console.log(`${result.requestsPerSecond.toFixed(0)} req/s`);
    if (result.unexpected > 0 || result.errors > 0) {
      console.log(
        `  ! ${result.unexpected} unexpected answers ${JSON.stringify(result.unexpectedStatuses)} and ${result.errors} errors: this figure is not valid`,
      );
      failed = true;
    }
  } catch (error) {
    console.log("failed");
    console.error(error instanceof Error ? error.message : error);
    failed = true;
  } finally {
    await running?.stop();
  }
}

console.log("");
printTable(rows);
printRelative(rows);
console.log(
  `Load average at the end: ${loadavg()
    .map((n) => n.toFixed(2))
    .join(" ")}`,
);
console.log(`\nWritten: ${writeJson(rows, load)}`);
process.exit(failed ? 1 : 0);
