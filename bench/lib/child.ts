// Child process entry: starts one target (the module path is argv[2]) and reports its URL.
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
process.on("message", (message) => {
  if ((message as { type?: string }).type === "stop") void shutdown();
});
process.on("SIGTERM", () => void shutdown());
process.on("disconnect", () => void shutdown());
