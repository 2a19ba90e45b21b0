import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestClient, freePort, tokenFromEmail, uniqueEmail, uniqueIp, validSignup } from "./harness";

/** The server as `npm start` runs it: the bundle built by apps/server/build.mjs, under plain Node. */

export const serverDir = fileURLToPath(new URL("../", import.meta.url));
export const run = promisify(execFile);

/**
 * Builds the server into `outdir` (beside src/, as the bundle expects). A suite that starts
 * processes while another rebuilds dist/ builds a directory of its own.
 */
export async function buildServer(outdir = "dist") {
  await run(process.execPath, ["build.mjs", "--outdir", outdir], { cwd: serverDir });
}

export type BuiltServer = {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
};

/** Starts `<outdir>/main.js` in `cwd` with `env` and waits until it answers /healthz. */
export async function startBuilt(
  cwd: string,
  env: Record<string, string | undefined>,
  port?: number,
  outdir = "dist",
): Promise<BuiltServer> {
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(serverDir, outdir, "main.js")], {
    cwd,
    env: { PORT: String(port), HOST: "127.0.0.1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const server: BuiltServer = {
    url,
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the built server exited early:\n${output}`);
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`the built server did not answer in time:\n${output}`);
    }
    try {
      if ((await fetch(`${url}/healthz`)).ok) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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
