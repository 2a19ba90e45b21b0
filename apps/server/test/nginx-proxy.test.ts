import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultLimits } from "@cac/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendFrom } from "./cluster/http-client";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { tokenFromEmail, uniqueEmail, validSignup } from "./harness";
import { editConfig, type NginxProcess, startNginx, stopChild } from "./nginx-process";

/**
 * The README's nginx setup, for real: nginx (/usr/sbin/nginx, from docs/nginx.conf) in front of the
 * server (apps/server/src/main.ts) started with TRUST_PROXY=1, both as child processes on free
 * ports. Clients connect from different loopback addresses (127.0.0.2, 127.0.0.3: all of 127/8 is
 * this machine), so nginx sees a different real address for each, and send forged
 * X-Forwarded-For values, which nginx passes on with the real address appended.
 */

const root = fileURLToPath(new URL("../../../", import.meta.url));
const SHOP = "https://shop.test";
const ATTACKER = "127.0.0.2";
const BYSTANDER = "127.0.0.3";
const OWNER = "127.0.0.4";

/** docs/nginx.conf with the test's own listen address and upstream, and no TLS (no certificate here). */
function siteConfig(listenPort: number, serverPort: number): string {
  return editConfig("docs/nginx.conf", readFileSync(join(root, "docs/nginx.conf"), "utf8"), [
    [/^\s*listen 443 ssl http2;$/m, `    listen 127.0.0.1:${listenPort};`],
    [/^\s*listen \[::\]:443 ssl http2;\n/m, ""],
    [/^\s*ssl_certificate .*\n/m, ""],
    [/^\s*ssl_certificate_key .*\n/m, ""],
    [/^\s*server 127\.0\.0\.1:3000;$/m, `    server 127.0.0.1:${serverPort};`],
    // The plain-http redirect server: the test has one port only.
    [/\nserver \{\n\s*listen 80;[\s\S]*?\n\}\n/, "\n"],
  ]);
}

/** One HTTP request from the local address `from`, on a connection of its own. */
function send(
  port: number,
  from: string,
  path: string,
  options: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return sendFrom(port, from, path, { method: options.method, json: options.body, headers: options.headers });
}

function started(child: ChildProcess, name: string, output: () => string) {
  return new Promise<never>((_, reject) => {
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}):\n${output()}`)));
  });
}

describe("behind the README's nginx (TRUST_PROXY=1)", () => {
  const dir = mkdtempSync(join(tmpdir(), "cac-nginx-"));
  let server: ChildProcess | undefined;
  let nginx: NginxProcess | undefined;
  let serverOutput = "";
  let serverPort = 0;
  let proxyPort = 0;
  let publicId = "";
  const portalOrigin = "http://localhost:3000";

  /** A tRPC call through nginx (or straight to the server) from a local address. */
  async function trpc(
    from: string,
    path: string,
    input: unknown,
    options: {
      forwardedFor?: string;
      origin?: string;
      cookie?: string;
      direct?: boolean;
      query?: boolean;
    } = {},
  ) {
    const headers: Record<string, string> = { origin: options.origin ?? portalOrigin };
    if (options.forwardedFor) headers["x-forwarded-for"] = options.forwardedFor;
    if (options.cookie) headers.cookie = options.cookie;
    const port = options.direct ? serverPort : proxyPort;
    const answer = options.query
      ? await send(port, from, `/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
          headers,
        })
      : await send(port, from, `/trpc/${path}`, { body: { json: input }, headers });
    // biome-ignore lint/suspicious/noExplicitAny: tRPC's JSON envelope
    const json = JSON.parse(answer.body) as any;
    return {
      status: answer.status,
      appCode: (json.error?.json?.data?.appCode ?? null) as string | null,
      data: json.result?.data?.json,
      setCookie: answer.headers["set-cookie"],
    };
  }

  beforeAll(async () => {
    // The server, from source, on a free port the OS picks (read back from its log).
    server = spawn(
      process.execPath,
      [join(root, "node_modules/tsx/dist/cli.mjs"), join(root, "apps/server/src/main.ts")],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          HOST: "127.0.0.1",
          PORT: "0",
          TRUST_PROXY: "1",
          PUBLIC_URL: portalOrigin,
          DATA_DIR: join(dir, "data"),
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    server.stdout?.on("data", (chunk) => {
      serverOutput += chunk;
    });
    server.stderr?.on("data", (chunk) => {
      serverOutput += chunk;
    });
    const serverExit = started(server, "the server", () => serverOutput);
    const listening = new Promise<number>((resolve) => {
      const check = () => {
        const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(serverOutput);
        if (match) resolve(Number(match[1]));
        else setTimeout(check, 100);
      };
      check();
    });
    serverPort = await Promise.race([listening, serverExit]);

    // nginx, not as a daemon, with its own prefix, up once it answers /healthz.
    nginx = await startNginx(
      dir,
      (port) => siteConfig(port, serverPort),
      async (port) => (await send(port, OWNER, "/healthz")).status === 200,
    );
    proxyPort = nginx.port;

    // A business with a button that is always open, set up through nginx.
    const email = uniqueEmail("nginx");
    await trpc(OWNER, "auth.signup", { ...validSignup, email });
    // The dev outbox answers only this machine directly: through nginx it is refused.
    expect((await trpc(OWNER, "system.devOutbox", undefined, { query: true })).status).toBe(403);
    const outbox = await trpc(OWNER, "system.devOutbox", undefined, { query: true, direct: true });
    const mail = (outbox.data as Array<{ to: string; text: string }>).find((m) => m.to === email)!;
    const verified = await trpc(OWNER, "auth.verifyEmail", {
      token: tokenFromEmail(mail.text, "/verify-email"),
    });
    const cookies = ([] as string[]).concat(verified.setCookie ?? []).map((line) => line.split(";")[0]);
    const button = await trpc(OWNER, "buttons.create", validButton({ hours: alwaysOpen }), {
      cookie: cookies.join("; "),
    });
    expect(button.status, JSON.stringify(button)).toBe(200);
    publicId = (button.data as { publicId: string }).publicId;
  }, 180_000);

  afterAll(async () => {
    await nginx?.stop();
    await stopChild(server, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("the README shows docs/nginx.conf as it is", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain(readFileSync(join(root, "docs/nginx.conf"), "utf8").trim());
  });

  it("forged X-Forwarded-For values get no call past the per-IP call limit (0 of 12)", async () => {
    const start = (from: string, forged: string) =>
      trpc(from, "calls.start", { button: publicId }, { forwardedFor: forged, origin: SHOP });
    const limit = defaultLimits["call.ip"].points;
    // Within the limit: past it (no one answers in the portal, so each ends NO_AGENT_AVAILABLE).
    for (let i = 0; i < limit; i++) {
      expect((await start(ATTACKER, `6.6.${i}.1`)).appCode).not.toBe("RATE_LIMITED");
    }
    const forged = [];
    for (let i = 0; i < 12; i++) forged.push(await start(ATTACKER, `7.7.${i}.1`));
    expect(forged.filter((r) => r.appCode !== "RATE_LIMITED")).toHaveLength(0);
    expect(forged.every((r) => r.status === 429)).toBe(true);
    // The limit is the attacker's own: another address is not held up.
    expect((await start(BYSTANDER, "7.7.7.7")).appCode).toBe("NO_AGENT_AVAILABLE");
  });

  it("forged X-Forwarded-For values get no login past the per-IP login limit (0 of 40)", async () => {
    const login = (forged: string) =>
      trpc(
        ATTACKER,
        "auth.login",
        { email: uniqueEmail("guess"), password: "not-the-password" },
        { forwardedFor: forged },
      );
    for (let i = 0; i < defaultLimits["login.ip"].points; i++) {
      expect((await login(`6.6.${i}.2`)).appCode).toBe("UNAUTHENTICATED");
    }
    const forged = [];
    for (let i = 0; i < 40; i++) forged.push(await login(`7.7.${i}.2`));
    expect(forged.filter((r) => r.appCode !== "RATE_LIMITED")).toHaveLength(0);
  });

  it("logs the clients' networks, never their addresses", () => {
    expect(serverOutput).toContain('"remoteAddress":"127.0.0.0/24"');
    for (const address of [ATTACKER, BYSTANDER, OWNER]) expect(serverOutput).not.toContain(address);
  });
});
