import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestClient, freePort, tokenFromEmail, uniqueEmail, uniqueIp, validSignup } from "./harness";

/**
 * The server as `npm start` runs it: the bundle built by apps/server/build.mjs, under plain Node,
 * as a real OS process. One piece for every suite that starts it: a single server, the five
 * instances of a cold start, and each instance of a cluster (cluster/cluster.ts).
 */

export const serverDir = fileURLToPath(new URL("../", import.meta.url));
export const run = promisify(execFile);

/**
 * Builds the server into `outdir` (beside src/, as the bundle expects). A suite that starts
 * processes while another rebuilds dist/ builds a directory of its own.
 */
export async function buildServer(outdir = "dist") {
  await run(process.execPath, ["build.mjs", "--outdir", outdir], { cwd: serverDir });
}

/** One built server process on a fixed port, which can be stopped and started again. */
export type BuiltServer = {
  name: string;
  port: number;
  /** http://127.0.0.1:<port>, straight to this process (not through a proxy). */
  url: string;
  /** The running process, or null while stopped. */
  child(): ChildProcess | null;
  /** Everything the process printed, over all its runs. */
  output(): string;
  /** Resolves with the exit code once the current (or last) run has exited. */
  exited(): Promise<number | null>;
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
 * The built server in `distDir`, started in `cwd` with exactly `env` (plus its PORT and HOST), so
 * no setting of the test's own process leaks in. Not started yet: `start()` does.
 */
export function builtServer(options: {
  name: string;
  distDir: string;
  cwd: string;
  port: number;
  env: Record<string, string>;
}): BuiltServer {
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
    exited: () => exit,
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

/**
 * Starts `<outdir>/main.js` in `cwd` with `env` (unset entries left out) on `port` (a free one by
 * default) and waits until it is ready.
 */
export async function startBuilt(
  cwd: string,
  env: Record<string, string | undefined>,
  port?: number,
  outdir = "dist",
): Promise<BuiltServer> {
  const defined = Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined);
  const server = builtServer({
    name: "the built server",
    distDir: join(serverDir, outdir),
    cwd,
    port: port ?? (await freePort()),
    env: Object.fromEntries(defined),
  });
  await server.start();
  return server;
}

/**
 * Signs up an owner on a built server at `url` (whose PUBLIC_URL it is) and confirms the email by
 * the link, read from the dev outbox: it answers a loopback peer that no proxy forwarded, and the
 * email queue's worker delivers the confirmation a moment after the answer.
 */
export async function verifiedOwner(url: string) {
  const owner = createTestClient(url, url, uniqueIp());
  const email = uniqueEmail("built");
  await owner.trpc.auth.signup.mutate({ ...validSignup, email });
  const local = createTestClient(url, url);
  let verify: { text: string } | undefined;
  for (let tries = 0; !verify && tries < 100; tries++) {
    if (tries) await new Promise((resolve) => setTimeout(resolve, 100));
    const mails = await local.trpc.system.devOutbox.query();
    verify = mails.find((m) => m.to === email && m.text.includes("/verify-email?token="));
  }
  await owner.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(verify?.text ?? "", "/verify-email") });
  return owner;
}
