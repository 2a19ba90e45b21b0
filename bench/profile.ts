// npm run bench -- profile <target> [--duration 5] [--connections 10] [--top 15]
// Runs one HTTP target (bench/targets/<target>.ts) with the same load as `npm run bench`, with V8's
// CPU profiler (what `node --cpu-prof` runs) on over the measured seconds only, then prints the functions with the most self time (where the CPU went) and
// keeps the .cpuprofile (open it in Chrome DevTools' Performance panel) under bench/results/.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkTarget, measure } from "./lib/measure";
import { startTarget } from "./lib/spawn";
import type { BenchTarget } from "./lib/target";

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; samples: number[]; timeDeltas: number[] };

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    top: { type: "string", default: "15" },
  },
});
const name = positionals[0];
if (!name) {
  console.error("usage: npm run bench -- profile <target> (a file name in bench/targets)");
  process.exit(2);
}
const modulePath = fileURLToPath(new URL(`./targets/${name}.ts`, import.meta.url));
const dir = fileURLToPath(new URL(`./results/profile-${Date.now()}/`, import.meta.url));
mkdirSync(dir, { recursive: true });

const target = ((await import(modulePath)) as { default: BenchTarget }).default;
const running = await startTarget(modulePath, target.startTimeoutMs);
const file = join(dir, `${name}.cpuprofile`);
try {
  await checkTarget(running.info);
  const connections = Number(values.connections);
  await measure(running.info, { durationSeconds: Number(values.warmup), warmupSeconds: 0, connections });
  const stopProfile = await running.profile();
  const result = await measure(
    running.info,
    { durationSeconds: Number(values.duration), warmupSeconds: 0, connections },
    running.cpuMs,
  );
  await stopProfile(file);
  console.log(
    `${name}: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.cpuMsPerRequest?.toFixed(3) ?? "-"} CPU ms/req, ${result.unexpected} unexpected`,
  );
} finally {
  await running.stop();
}

const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

// Self time per function (name and place), as a share of the samples taken while the process ran
// JavaScript, native code or GC. Samples, not their time deltas: on a busy machine a delta also
// holds the time the process waited for a core.
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map<string, number>();
let total = 0;
for (const id of profile.samples) {
  const node = byId.get(id);
  // Waiting for work is not CPU spent on it.
  if (!node || node.callFrame.functionName === "(idle)") continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? `${url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*?\/(apps|packages)\//, "$1/")}:${lineNumber + 1}`
    : "";
  const key = `${functionName || "(anonymous)"} ${where}`.trim();
  self.set(key, (self.get(key) ?? 0) + 1);
  total += 1;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
console.log(`\nself samples, top ${rows.length} of ${self.size} functions (${total} busy samples):`);
for (const [key, count] of rows) {
  console.log(`${((count / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
console.log(`\nProfile: ${file}`);
