import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe("loadConfig", () => {
  it("starts with nothing configured: development, embedded database, in-process limiter", () => {
    const config = loadConfig({});
    expect(config.env).toBe("development");
    expect(config.production).toBe(false);
    expect(config.port).toBe(3000);
    expect(config.publicUrl.origin).toBe("http://localhost:3000");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.operatorEmails).toEqual([]);
    expect(config.trustProxy).toBe(false);
  });

  it("reads every setting", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      PORT: "8080",
      HOST: "127.0.0.1",
      PUBLIC_URL: "https://calls.example.com",
      DATABASE_URL: "postgres://u:p@db:5432/cac",
      REDIS_URL: "redis://cache:6379",
      OPERATOR_EMAILS: " Ops@Example.com , second@example.com ",
      LOG_LEVEL: "warn",
      TRUST_PROXY: "true",
      DATA_DIR: "/var/lib/cac",
      WEB_DIST_DIR: "/srv/web",
    });
    expect(config).toMatchObject({
      production: true,
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: "postgres://u:p@db:5432/cac",
      redisUrl: "redis://cache:6379",
      operatorEmails: ["ops@example.com", "second@example.com"],
      logLevel: "warn",
      trustProxy: true,
      dataDir: "/var/lib/cac",
      webDistDir: "/srv/web",
    });
    expect(config.publicUrl.href).toBe("https://calls.example.com/");
  });

  it("treats empty values as unset", () => {
    const config = loadConfig({
      PORT: "",
      DATABASE_URL: "",
      REDIS_URL: "",
      PUBLIC_URL: "",
      WEB_DIST_DIR: "",
    });
    // An empty PORT is the default port, never 0 (which would listen on a random port).
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.webDistDir).toBeUndefined();
  });

  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ PORT: "abc" }, "PORT", /port number/i],
    [{ PORT: "70000" }, "PORT", /65535/],
    [{ PORT: "80.5" }, "PORT", /port number/i],
    [{ PORT: "-1" }, "PORT", /port number/i],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL", /postgres/i],
    [{ DATABASE_URL: "not a url" }, "DATABASE_URL", /postgres/i],
    [{ REDIS_URL: "http://cache:6379" }, "REDIS_URL", /redis/i],
    [{ OPERATOR_EMAILS: "not-an-email" }, "OPERATOR_EMAILS", /email/i],
    [{ OPERATOR_EMAILS: "ok@example.com, nope" }, "OPERATOR_EMAILS", /email/i],
    [{ PUBLIC_URL: "ftp://calls.example.com" }, "PUBLIC_URL", /http/i],
    [{ NODE_ENV: "staging" }, "NODE_ENV", /development|production/i],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL", /info/i],
    [{ TRUST_PROXY: "yes" }, "TRUST_PROXY", /true|false/i],
    [{ NODE_ENV: "production" }, "PUBLIC_URL", /required in production/i],
  ];

  it.each(bad)("refuses %j with a ConfigError naming %s and what is wrong", (env, variable, what) => {
    const error = configError(env);
    expect(error.message).toMatch(new RegExp(`^\\s*- ${variable}: `, "m"));
    const line = error.message.split("\n").find((l) => l.includes(`${variable}:`))!;
    expect(line).toMatch(what);
    expect(error.problems.some((p) => p.startsWith(`${variable}: `))).toBe(true);
  });

  it("reports every bad setting at once", () => {
    const error = configError({ PORT: "abc", DATABASE_URL: "mysql://x", OPERATOR_EMAILS: "nope" });
    expect(error.problems.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining(["PORT", "DATABASE_URL", "OPERATOR_EMAILS"]),
    );
  });

  it("refuses a production PUBLIC_URL that is not https", () => {
    const error = configError({ NODE_ENV: "production", PUBLIC_URL: "http://calls.example.com" });
    expect(error.message).toMatch(/PUBLIC_URL: .*https/);
    // Production on the machine itself (e2e runs) may stay on http://localhost.
    expect(loadConfig({ NODE_ENV: "production", PUBLIC_URL: "http://localhost:3000" }).production).toBe(true);
  });
});

describe("main.ts with a bad setting", () => {
  // tsx compiles the server on start: give a loaded CI machine time (it takes ~2 s when idle).
  it("exits non-zero and prints the variable's name", { timeout: 90_000 }, async () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    // An empty working directory: no .env is read and no ./data is created anywhere.
    const cwd = mkdtempSync(join(tmpdir(), "cac-config-"));
    try {
      const child = spawn(
        process.execPath,
        [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "apps/server/src/main.ts")],
        {
          cwd,
          env: {
            PATH: process.env.PATH,
            PORT: "abc",
            LOG_LEVEL: "silent",
          },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let output = "";
      child.stdout.on("data", (chunk) => {
        output += chunk;
      });
      child.stderr.on("data", (chunk) => {
        output += chunk;
      });
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve(null);
        }, 60_000);
        child.on("exit", (exitCode) => {
          clearTimeout(timer);
          resolve(exitCode);
        });
      });
      expect(code, output).not.toBeNull();
      expect(code, output).not.toBe(0);
      expect(output).toContain("PORT");
      expect(output).toMatch(/cannot start/i);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
