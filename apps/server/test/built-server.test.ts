import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./harness";

/**
 * `npm start` runs the server built into apps/server/dist under plain Node. This builds it and
 * starts it as a new user would (embedded database, nothing configured), so a file the bundle
 * cannot find (migrations, the shipped privacy policy) fails here rather than in production.
 */

const serverDir = fileURLToPath(new URL("../", import.meta.url));
const run = promisify(execFile);

describe("the built server (npm start)", () => {
  // An empty working directory: no .env is read, and the embedded database lives in it.
  const cwd = mkdtempSync(join(tmpdir(), "cac-built-"));
  const env = { PATH: process.env.PATH, LOG_LEVEL: "warn", DATA_DIR: join(cwd, "data") };
  let url = "";
  let output = "";
  let stop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    await run(process.execPath, ["build.mjs"], { cwd: serverDir });
    const port = await freePort();
    const child = spawn(process.execPath, [join(serverDir, "dist/main.js")], {
      cwd,
      env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    stop = async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    };
    url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the built server exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the built server did not answer in time:\n${output}`);
      try {
        if ((await fetch(`${url}/healthz`)).ok) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 150_000);

  afterAll(async () => {
    await stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("migrates its embedded database and serves health, the API and the shipped privacy policy", async () => {
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, db: "pglite" });
    const info = await fetch(`${url}/trpc/system.info`);
    expect(info.status, output).toBe(200);
    const privacy = await fetch(`${url}/privacy`);
    expect(privacy.status).toBe(200);
    expect(await privacy.text()).toContain("We never record or store the audio of any call.");
  });

  it("the built jobs command migrates and runs the retention jobs once, and exits 0", {
    timeout: 120_000,
  }, async () => {
    // A database of its own: the embedded one above belongs to the running server.
    const jobsDir = mkdtempSync(join(tmpdir(), "cac-built-jobs-"));
    try {
      const { stdout } = await run(process.execPath, [join(serverDir, "dist/jobs-cli.js"), "--once"], {
        cwd: jobsDir,
        env: { ...env, DATA_DIR: join(jobsDir, "data") },
      });
      expect(stdout).toMatch(/ip-retention/);
      expect(stdout).toMatch(/account-deletion/);
    } finally {
      rmSync(jobsDir, { recursive: true, force: true });
    }
  });
});
