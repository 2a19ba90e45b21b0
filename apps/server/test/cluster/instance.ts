import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** One server process of a cluster: the built server (dist-test-…/main.js) on a fixed port. */
export type Instance = {
  name: string;
  port: number;
  /** http://127.0.0.1:<port>, straight to this instance (not through nginx). */
  url: string;
  /** The running process, or null while stopped. */
  child(): ChildProcess | null;
  /** Everything the instance printed, over all its runs. */
  output(): string;
  /** Starts the process and waits until /readyz answers 200; resolves with the ms it took. */
  start(): Promise<number>;
  /** The running process's resident memory in MB (Linux), or null. */
  rssMb(): number | null;
  /** Sends `signal` and waits for the exit: the exit code and the ms from signal to exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
};

/** How long a start may take on a loaded two-core machine before it counts as failed. */
const START_TIMEOUT_MS = 90_000;

/** Polls `url` until it answers 200, failing early if `exited()` says the process is gone. */
export async function waitReady(url: string, exited: () => string | null, timeoutMs = START_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const gone = exited();
    if (gone !== null) throw new Error(gone);
    if (Date.now() > deadline) throw new Error(`${url} was not ready within ${timeoutMs} ms`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * An instance of the built server in `distDir`, started in `cwd` with exactly `env` (plus its
 * PORT and HOST), so no setting of the test's own process leaks in.
 */
export function builtInstance(options: {
  name: string;
  distDir: string;
  cwd: string;
  port: number;
  env: Record<string, string>;
}): Instance {
  const { name, port } = options;
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = "";
  let exit: Promise<number | null> = Promise.resolve(null);

  const describeExit = (proc: ChildProcess) =>
    proc.exitCode === null && proc.signalCode === null
      ? null
      : `${name} exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${output.slice(-4000)}`;

  return {
    name,
    port,
    url,
    child: () => child,
    output: () => output,
    async start() {
      if (child) throw new Error(`${name} is already running`);
      const started = performance.now();
      const proc = spawn(process.execPath, [join(options.distDir, "main.js")], {
        cwd: options.cwd,
        env: { ...options.env, PORT: String(port), HOST: "127.0.0.1" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      proc.stdout?.on("data", (chunk) => {
        output += chunk;
      });
      proc.stderr?.on("data", (chunk) => {
        output += chunk;
      });
      exit = new Promise((resolve) =>
        proc.once("exit", (code) => {
          if (child === proc) child = null;
          resolve(code);
        }),
      );
      try {
        await waitReady(`${url}/readyz`, () => describeExit(proc));
      } catch (error) {
        proc.kill("SIGKILL");
        await exit;
        throw error;
      }
      return Math.round(performance.now() - started);
    },
    rssMb() {
      try {
        const status = readFileSync(`/proc/${child?.pid}/status`, "utf8");
        const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
        return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
      } catch {
        return null;
      }
    },
    async stop(signal = "SIGTERM") {
      const running = child;
      if (!running) return { code: null, ms: 0 };
      const signaled = performance.now();
      running.kill(signal);
      const code = await exit;
      return { code, ms: Math.round(performance.now() - signaled) };
    },
  };
}
