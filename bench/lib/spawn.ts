import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { StartedTarget } from "./target";

export type TargetInfo = Omit<StartedTarget, "stop">;
export type RunningTarget = {
  info: TargetInfo;
  /** CPU time (user + system) the target's process has used so far, in ms; null off Linux. */
  cpuMs(): number | null;
  /** Starts the target's CPU profiler; the returned function stops it and writes `file`. */
  profile(): Promise<(file: string) => Promise<void>>;
  stop(): Promise<void>;
};

/** utime + stime of a process from /proc (clock ticks of 10 ms on Linux). */
function processCpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

const childEntry = fileURLToPath(new URL("./child.ts", import.meta.url));

/** Starts a target module in a child Node process (with tsx) and waits until it listens. */
export function startTarget(
  modulePath: string,
  timeoutMs = 120_000,
  /** More Node options for the target's process (e.g. `--cpu-prof`). */
  nodeOptions: string[] = [],
): Promise<RunningTarget> {
  const child = fork(childEntry, [modulePath], {
    execArgv: ["--import", "tsx", ...nodeOptions],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const reply = (type: string) =>
    new Promise<void>((resolve) => {
      const listener = (message: { type: string }) => {
        if (message.type !== type) return;
        child.off("message", listener);
        resolve();
      };
      child.on("message", listener);
    });
  const profile = async () => {
    const started = reply("profiling");
    child.send({ type: "profile-start" });
    await started;
    return async (file: string) => {
      const written = reply("profiled");
      child.send({ type: "profile-stop", file });
      await written;
    };
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.send({ type: "stop" });
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    await exited;
    clearTimeout(killer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${modulePath} did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("message", (message: { type: string; info?: TargetInfo; message?: string }) => {
      clearTimeout(timer);
      if (message.type === "ready" && message.info)
        resolve({ info: message.info, cpuMs: () => processCpuMs(child.pid), profile, stop });
      else reject(new Error(`${modulePath} failed to start:\n${message.message ?? "unknown error"}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${modulePath} exited with code ${code} before it was ready`));
    });
  });
}
