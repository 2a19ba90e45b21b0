import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

/** Production on purpose without Resend and Postgres (as the production harness runs). */
const production = {
  NODE_ENV: "production",
  ALLOW_DEV_OUTBOX_IN_PRODUCTION: "true",
  ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION: "true",
};

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
    // Reachable from this machine only, until HOST says otherwise.
    expect(config.host).toBe("localhost");
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
      TRUST_PROXY: "1",
      RESEND_API_KEY: "re_live_key",
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
      trustProxy: { hops: 1 },
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
    [{ TRUST_PROXY: "yes" }, "TRUST_PROXY", /"yes" is not an IP address or network/],
    // "true" trusted every X-Forwarded-For entry: the client chose its own IP.
    [
      { TRUST_PROXY: "true" },
      "TRUST_PROXY",
      /choose its own IP.*TRUST_PROXY=1 .*TRUST_PROXY=127\.0\.0\.1,10\.0\.0\.0\/8/,
    ],
    [{ TRUST_PROXY: "11" }, "TRUST_PROXY", /0 to 10/],
    [{ TRUST_PROXY: "10.0.0.0/33" }, "TRUST_PROXY", /"10\.0\.0\.0\/33" is not/],
    [{ TRUST_PROXY: "127.0.0.1, proxy.internal" }, "TRUST_PROXY", /"proxy\.internal" is not/],
    [{ ALLOW_DEV_OUTBOX_IN_PRODUCTION: "yes" }, "ALLOW_DEV_OUTBOX_IN_PRODUCTION", /true or false/],
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
    expect(loadConfig({ ...production, PUBLIC_URL: "http://localhost:3000" }).production).toBe(true);
  });

  it("takes TRUST_PROXY as a hop count or as the proxies' addresses and networks", () => {
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toEqual({ hops: 2 });
    expect(loadConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: " 127.0.0.1 , 10.0.0.0/8,fd00::/8 " }).trustProxy).toEqual({
      proxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"],
    });
  });

  it("takes REDIS_KEY_PREFIX for every Redis key (default cac), and refuses one that is not a plain name", () => {
    expect(loadConfig({}).redisKeyPrefix).toBe("cac");
    expect(loadConfig({ REDIS_KEY_PREFIX: "cac-staging" }).redisKeyPrefix).toBe("cac-staging");
    expect(configError({ REDIS_KEY_PREFIX: "a b*" }).message).toMatch(/REDIS_KEY_PREFIX: must be 1 to 40/);
  });

  it("refuses production on the dev outbox or the embedded database unless a setting allows it", () => {
    const bare = configError({ NODE_ENV: "production", PUBLIC_URL: "https://calls.example.com" });
    expect(bare.problems.find((p) => p.startsWith("RESEND_API_KEY: "))).toMatch(
      /required in production.*ALLOW_DEV_OUTBOX_IN_PRODUCTION=true/,
    );
    expect(bare.problems.find((p) => p.startsWith("DATABASE_URL: "))).toMatch(
      /required in production.*ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION=true/,
    );
    const allowed = loadConfig({ ...production, PUBLIC_URL: "https://calls.example.com" });
    expect(allowed.email.resend).toBeUndefined();
    expect(allowed.databaseUrl).toBeUndefined();
    // Production listens on every interface by default (a proxy or load balancer reaches it).
    expect(allowed.host).toBe("0.0.0.0");
    const real = loadConfig({
      NODE_ENV: "production",
      PUBLIC_URL: "https://calls.example.com",
      RESEND_API_KEY: "re_live_key",
      DATABASE_URL: "postgres://u:p@db:5432/cac",
    });
    expect(real.email.resend?.apiKey).toBe("re_live_key");
  });
});

/** Starts main.ts with `env` in an empty directory (no .env read, no ./data made) until it exits. */
async function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const root = fileURLToPath(new URL("../../../", import.meta.url));
  const cwd = mkdtempSync(join(tmpdir(), "cac-config-"));
  try {
    const child = spawn(
      process.execPath,
      [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "apps/server/src/main.ts")],
      {
        cwd,
        env: { PATH: process.env.PATH, LOG_LEVEL: "silent", ...env },
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
    return { code, output };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe("main.ts with a bad setting", () => {
  // tsx compiles the server on start: give a loaded CI machine time (it takes ~2 s when idle).
  it("exits non-zero and prints the variable's name, and for TRUST_PROXY=true what to write instead", {
    timeout: 90_000,
  }, async () => {
    const { code, output } = await runMain({ PORT: "abc", TRUST_PROXY: "true" });
    expect(code, output).not.toBeNull();
    expect(code, output).not.toBe(0);
    expect(output).toContain("PORT");
    expect(output).toMatch(/cannot start/i);
    expect(output).toMatch(/TRUST_PROXY: "true" would trust every X-Forwarded-For entry/);
    expect(output).toContain("TRUST_PROXY=1 for one nginx or load balancer");
  });

  it("refuses production without a real mailer and on the embedded database, naming the settings", {
    timeout: 90_000,
  }, async () => {
    const { code, output } = await runMain({
      NODE_ENV: "production",
      PUBLIC_URL: "https://calls.example.com",
    });
    expect(code, output).not.toBeNull();
    expect(code, output).not.toBe(0);
    expect(output).toMatch(/RESEND_API_KEY: is required in production.*ALLOW_DEV_OUTBOX_IN_PRODUCTION=true/);
    expect(output).toMatch(
      /DATABASE_URL: is required in production.*ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION=true/,
    );
  });
});
