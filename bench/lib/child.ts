// Child process entry: starts one target (the module path is argv[2]) and reports its URL.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { pathToFileURL } from "node:url";
import type { BenchTarget, StartedTarget } from "./target";

const modulePath = process.argv[2];
if (!modulePath || !process.send) {
  console.error("usage: forked by bench/run.ts with a target module path");
  process.exit(2);
}

const mod = (await import(pathToFileURL(modulePath).href)) as { default: BenchTarget };
let started: StartedTarget | undefined;
try {
  started = await mod.default.start();
} catch (error) {
  process.send({
    type: "error",
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
}
const { stop, ...info } = started;
process.send({ type: "ready", info });

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(1), 10_000);
  await stop().catch((error) => console.error(error));
  clearTimeout(timer);
  process.exit(0);
}
// The V8 CPU profiler (what `node --cpu-prof` runs), over the measured window only: start-up and
// seeding would otherwise fill the profile (bench/profile.ts).
let profiler: Session | undefined;
async function startProfile() {
  profiler = new Session();
  profiler.connect();
  await profiler.post("Profiler.enable");
  await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
  await profiler.post("Profiler.start");
  process.send?.({ type: "profiling" });
}
async function stopProfile(file: string) {
  const { profile } = (await profiler?.post("Profiler.stop")) ?? {};
  writeFileSync(file, JSON.stringify(profile));
  profiler?.disconnect();
  process.send?.({ type: "profiled", file });
}

process.on("message", (message) => {
  const { type, file } = message as { type?: string; file?: string };
  if (type === "stop") void shutdown();
  if (type === "profile-start") void startProfile();
  if (type === "profile-stop" && file) void stopProfile(file);
});
process.on("SIGTERM", () => void shutdown());
process.on("disconnect", () => void shutdown());
