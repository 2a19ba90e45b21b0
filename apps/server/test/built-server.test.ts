import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@cac/db/testing";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BuiltServer,
  buildServer,
  run,
  serverDir,
  startBuilt,
  verifiedOwner,
} from "./built-server-process";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { createTestClient, freePort } from "./harness";
import { startLocalRedis } from "./redis-server";

/**
 * `npm start` runs the server built into apps/server/dist under plain Node. This builds it and
 * starts it as a new user would (embedded database, nothing configured), so a file the bundle
 * cannot find (migrations, the shipped privacy policy) fails here rather than in production.
 */

beforeAll(async () => {
  await buildServer();
}, 150_000);

describe("the built server (npm start)", () => {
  // An empty working directory: no .env is read, and the embedded database lives in it.
  const cwd = mkdtempSync(join(tmpdir(), "cac-built-"));
  const env = { PATH: process.env.PATH, LOG_LEVEL: "warn", DATA_DIR: join(cwd, "data") };
  let server: BuiltServer;

  beforeAll(async () => {
    server = await startBuilt(cwd, env);
  }, 150_000);

  afterAll(async () => {
    await server?.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("migrates its embedded database and serves health, the API and the shipped privacy policy", async () => {
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, db: "pglite" });
    const info = await fetch(`${server.url}/trpc/system.info`);
    expect(info.status, server.output()).toBe(200);
    const privacy = await fetch(`${server.url}/privacy`);
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

/** A live stream as a browser holds it: an EventSource, which reconnects when the stream drops. */
function openStream(url: string, headers: Record<string, string>) {
  const state = { connected: false, ended: false, returned: false };
  const source = new EventSource(url, {
    fetch: (input, init) => {
      const merged = new Headers(init?.headers);
      for (const [name, value] of Object.entries(headers)) merged.set(name, value);
      return fetch(input, { ...init, headers: merged });
    },
  });
  source.addEventListener("connected", () => {
    state.connected = true;
  });
  // tRPC's "the stream is finished" event: a client that gets it does not reconnect.
  source.addEventListener("return", () => {
    state.returned = true;
  });
  source.addEventListener("error", () => {
    if (state.connected) state.ended = true;
  });
  return { state, source };
}

/**
 * A POST whose body is still arriving: the request is in flight on the server until `finish()`
 * sends the rest.
 */
function slowPost(url: string, headers: Record<string, string>, body: string) {
  const half = Math.floor(body.length / 2);
  const req = request(url, {
    method: "POST",
    headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
  });
  req.write(body.slice(0, half));
  return { response, finish: () => req.end(body.slice(half)) };
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * DATABASE_URL and REDIS_URL for the server: a Redis of its own (the server keys its limits with the
 * default prefix, so a shared Redis would carry counts over from earlier runs), and a fresh Postgres
 * database when TEST_DATABASE_URL is set (otherwise the embedded one).
 */
async function backingServices() {
  const redis = await startLocalRedis();
  const serverUrl = process.env.TEST_DATABASE_URL;
  const database = serverUrl ? await createTestDatabase(serverUrl) : null;
  return {
    env: { REDIS_URL: redis.url, ...(database ? { DATABASE_URL: database.url } : {}) },
    drop: async () => {
      await database?.drop();
      await redis.stop();
    },
  };
}

describe("the built server on SIGTERM", () => {
  const cwd = mkdtempSync(join(tmpdir(), "cac-built-drain-"));
  let server: BuiltServer;
  let services: Awaited<ReturnType<typeof backingServices>>;
  const streams: Array<ReturnType<typeof openStream>> = [];

  beforeAll(async () => {
    services = await backingServices();
    const port = await freePort();
    server = await startBuilt(
      cwd,
      {
        PATH: process.env.PATH,
        LOG_LEVEL: "info",
        DATA_DIR: join(cwd, "data"),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        // The 45 phone panels below are one login's, from one address.
        SSE_STREAMS_PER_SESSION: "50",
        ...services.env,
      },
      port,
    );
  }, 150_000);

  afterAll(async () => {
    for (const stream of streams) stream.source.close();
    await server?.stop();
    await services?.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it("with 50 live streams open: ends them so clients reconnect, finishes the request in flight, closes its pools and exits 0", {
    timeout: 120_000,
  }, async () => {
    const { url } = server;
    // Ready, with its database and Redis: both are closed on the way out.
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { redis: { ms?: number } };
    expect(ready).toMatchObject({ ok: true, database: { ok: true }, redis: { ok: true } });
    expect(typeof ready.redis.ms).toBe("number");
    // An owner with a confirmed email, a button, and the phone panel set available.
    const owner = await verifiedOwner(url);
    const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    await owner.trpc.phone.setAvailable.mutate({ available: true });
    const cookie = [...owner.jar].map(([k, v]) => `${k}=${v}`).join("; ");

    // 50 streams: 45 phone panels (phone.events) and 5 visitors in calls (calls.events).
    for (let i = 0; i < 45; i++)
      streams.push(openStream(`${url}/trpc/phone.events`, { cookie, origin: url }));
    const visitor = createTestClient(url, "https://shop.test");
    for (let i = 0; i < 5; i++) {
      const call = await visitor.trpc.calls.start.mutate({ button: button.publicId });
      const input = encodeURIComponent(
        JSON.stringify({ json: { button: button.publicId, sessionId: call.sessionId, token: call.token } }),
      );
      streams.push(openStream(`${url}/trpc/calls.events?input=${input}`, { origin: "https://shop.test" }));
    }
    await until(() => streams.every((s) => s.state.connected), "50 open streams");

    // A request in flight when SIGTERM arrives.
    const inFlight = slowPost(
      `${url}/trpc/phone.setAvailable`,
      { cookie, origin: url },
      JSON.stringify({ json: { available: false } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    const signaled = performance.now();
    server.child()?.kill("SIGTERM");
    // Every stream ends, as a dropped connection the client reconnects after, not a finished one.
    await until(() => streams.every((s) => s.state.ended), "the streams to end", 9_000);
    expect(streams.filter((s) => s.state.returned)).toEqual([]);
    // No new request is taken, while the one in flight is still being answered.
    const late = await fetch(`${url}/healthz`).then(
      (res) => res.status,
      () => "refused",
    );
    expect([503, "refused"]).toContain(late);
    inFlight.finish();
    const answered = await inFlight.response;
    expect(answered.status, answered.body).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({ result: { data: { json: { available: false } } } });

    const code = await server.exited();
    const elapsed = Math.round(performance.now() - signaled);
    expect(code, server.output()).toBe(0);
    expect(server.output()).toMatch(/stopped: connections and pools closed/);
    expect(server.output()).not.toMatch(/did not finish in time|shutdown failed/);
    console.log(`SIGTERM to exit with 50 open streams and a request in flight: ${elapsed} ms`);
  });
});
