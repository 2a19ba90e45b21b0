// npm run bench -- cpu-profile <target> [--duration 10] [--connections 10] [--top 5]
//
// Where a benchmark target's CPU goes: runs the target (one of bench/targets, e.g. calls-start)
// under `node --cpu-prof`, puts the usual load on it after a warmup, and prints the functions
// that spent the most CPU themselves (self time, with their share of all samples) while it was
// measured. The .cpuprofile stays in bench/results/ for Chrome DevTools or speedscope.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkTarget, measure } from "./lib/measure";
import { startTarget } from "./lib/spawn";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    connections: { type: "string", default: "10" },
    top: { type: "string", default: "5" },
  },
});
const name = positionals[0];
if (!name) {
  console.error("usage: npm run bench -- cpu-profile <target> [--duration 10] [--connections 10] [--top 5]");
  process.exit(2);
}
const modulePath = fileURLToPath(new URL(`./targets/${name}.ts`, import.meta.url));
const dir = fileURLToPath(new URL(`./results/profile-${name}-${Date.now()}/`, import.meta.url));
mkdirSync(dir, { recursive: true });

type Node = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: Node[]; startTime: number; samples: number[]; timeDeltas: number[] };

const running = await startTarget(modulePath, 180_000, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
let result: Awaited<ReturnType<typeof measure>>;
// The profile's clock is the monotonic one every process shares: only the samples taken while
// measured count (not the start-up, the seeding or the warmup).
let from = 0n;
let to = 0n;
try {
  await checkTarget(running.info);
  const connections = Number(values.connections);
  const warmupSeconds = Number(values.warmup);
  if (warmupSeconds > 0)
    await measure(running.info, { connections, durationSeconds: warmupSeconds, warmupSeconds: 0 });
  from = process.hrtime.bigint() / 1000n;
  result = await measure(
    running.info,
    { connections, durationSeconds: Number(values.duration), warmupSeconds: 0 },
    running.cpuMs,
  );
  to = process.hrtime.bigint() / 1000n;
} finally {
  await running.stop();
}
// CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: the main thread is 0 (tsx's loader has its own).
const file = readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f));
if (!file) throw new Error(`the target wrote no profile to ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;

// Self time per function (summed over its call sites), from the samples and their time deltas.
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<string, number>();
let totalUs = 0;
let at = BigInt(profile.startTime);
profile.samples.forEach((id, i) => {
  const node = byId.get(id);
  const delta = profile.timeDeltas[i] ?? 0;
  at += BigInt(delta);
  if (!node || at < from || at > to) return;
  totalUs += delta;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${relative(process.cwd(), url.replace(/^file:\/\//, ""))}:${lineNumber + 1}` : "";
  const key = `${functionName || "(anonymous)"} ${where}`.trim();
  selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
});
const busyUs = totalUs - (selfUs.get("(idle)") ?? 0);
const top = [...selfUs.entries()]
  .filter(([key]) => key !== "(idle)")
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(values.top));

console.log(
  `${name}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50} ms, ` +
    `cpu ${result.cpuMsPerRequest?.toFixed(3) ?? "-"} ms/req; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}`,
);
console.log(`Top ${top.length} frames by self time (share of the process's busy time while measured):`);
for (const [key, us] of top) console.log(`  ${((us / busyUs) * 100).toFixed(1).padStart(5)}%  ${key}`);
console.log(`Profile: ${join(dir, file)} (measured from ${from} to ${to} µs of its clock)`);
