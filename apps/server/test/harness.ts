import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Limits } from "@cac/core";
import { hashPassword } from "@cac/core";
import { TestClock, unique, uniqueEmail, uniqueIp } from "@cac/core/testing";
import type { DbHandle } from "@cac/db";
import { createTestDb, insertMember } from "@cac/db/testing";
import type { AppRouter } from "@cac/trpc";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { type BuildOptions, type BuiltApp, buildApp } from "../src/app";
import { loadConfig } from "../src/config";

// Shared with the core package's suites (and re-exported for this package's).
export { freePort, TestClock, unique, uniqueEmail, uniqueIp } from "@cac/core/testing";

export type Harness = BuiltApp & {
  url: string;
  /** PUBLIC_URL's origin, which the portal's requests carry. */
  portalOrigin: string;
  clock: TestClock;
  /** A browser-like client: its own cookie jar, the portal's Origin on every request. */
  client(options?: { origin?: string; ip?: string }): TestClient;
  /** The emails delivered to the dev outbox, once the email queue's due work is done. */
  outbox(to?: string): Promise<Array<{ to: string; subject: string; text: string }>>;
  /** Waits until the email queue has nothing due and nothing in flight on this app. */
  flushEmail(): Promise<void>;
  close(): Promise<void>;
};

export type TestClient = ReturnType<typeof createTestClient>;

export function createTestClient(url: string, origin: string, ip?: string) {
  const jar = new Map<string, string>();
  const fetchWithJar: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("origin", origin);
    if (ip) headers.set("x-forwarded-for", ip);
    if (jar.size) headers.set("cookie", [...jar].map(([k, v]) => `${k}=${v}`).join("; "));
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = (pair ?? "").split("=");
      const value = rest.join("=");
      if (!name) continue;
      if (value === "" || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name.trim());
      else jar.set(name.trim(), value);
    }
    return response;
  };
  const trpc = createTRPCClient<AppRouter>({
    links: [httpLink({ url: `${url}/trpc`, transformer: superjson, fetch: fetchWithJar })],
  });
  return { trpc, jar, fetch: fetchWithJar };
}

/**
 * For a suite's beforeAll/afterAll that start or stop a harness: migrating a fresh PGlite takes a
 * few seconds when idle, far more on a loaded 2-core machine.
 */
export const HARNESS_TIMEOUT_MS = 180_000;

/** A limit no suite reaches: for limiters a suite goes through many times but does not test. */
export const LIFTED = { points: 10_000, durationSeconds: 60 };

export async function startHarness(
  options: {
    limits?: Partial<Limits>;
    env?: Record<string, string>;
    db?: DbHandle;
    /**
     * Use the Redis named by REDIS_URL for the limiter when it is set (default true), with a key
     * prefix unique to this harness so parallel suites and reruns never share counts.
     */
    redis?: boolean;
    /** Extra build options, e.g. a shared pubsub prefix for two instances of one deployment. */
    build?: Partial<BuildOptions>;
    /** The interface to listen on (default 127.0.0.1); `url` stays on 127.0.0.1. */
    listen?: string;
  } = {},
): Promise<Harness> {
  const opened = options.db ?? (await createTestDb());
  // Closing twice is harmless here (the health suite closes the database to see a 503).
  let closing: Promise<void> | undefined;
  const db: DbHandle = { ...opened, close: () => (closing ??= opened.close()) };
  const clock = new TestClock();
  const redisUrl = options.redis === false ? undefined : process.env.REDIS_URL;
  // Anything the server writes to disk (uploads) stays in a directory of this harness's own.
  const dataDir = mkdtempSync(join(tmpdir(), "cac-harness-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    // One proxy: a client's X-Forwarded-For (one entry) stands for the address nginx would add.
    TRUST_PROXY: "1",
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    ...options.env,
  });
  const built = await buildApp(config, {
    db,
    clock,
    limits: options.limits,
    limiterKeyPrefix: unique("cac-test"),
    ...options.build,
  });
  await built.app.listen({ port: 0, host: options.listen ?? "127.0.0.1" });
  const address = built.app.server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  const url = `http://127.0.0.1:${address.port}`;
  // The portal's origin is PUBLIC_URL; tests speak to the listening port but present that origin.
  const portalOrigin = config.publicUrl.origin;
  return {
    ...built,
    url,
    clock,
    portalOrigin,
    client: (o = {}) => createTestClient(url, o.origin ?? portalOrigin, o.ip),
    flushEmail: () => built.emailWorker.drain(),
    async outbox(to) {
      await built.emailWorker.drain();
      const { outboxMessages } = await import("@cac/db");
      const rows = await db.db.select().from(outboxMessages);
      return rows.filter((row) => !to || row.to === to).sort((a, b) => +a.createdAt - +b.createdAt);
    },
    async close() {
      await built.app.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Pulls the `token` query parameter out of the newest emailed link to `path`. */
export function tokenFromEmail(text: string, path: string): string {
  const match = text.match(new RegExp(`${path}\\?token=([A-Za-z0-9_-]+)`));
  if (!match?.[1]) throw new Error(`no ${path} link in: ${text}`);
  return match[1];
}

export function errorOf(error: unknown) {
  if (!(error instanceof TRPCClientError)) throw error;
  return error as TRPCClientError<AppRouter>;
}

/** Awaits a call that must fail and returns the typed tRPC error. */
export async function expectTrpcError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return errorOf(error);
  }
  throw new Error("expected the call to fail");
}

export const validSignup = {
  name: "Dana Owner",
  companyName: "Acme Plumbing",
  websiteUrl: "acme-plumbing.com",
  phone: "(202) 555-0143",
  password: "correct-battery-staple-42",
  ageConfirmed: true as const,
};

/**
 * Signs up a fresh owner (with `captchaToken` when Turnstile is on), confirms the email by the
 * link and returns the client, logged in.
 */
export async function signupVerified(
  h: Harness,
  overrides: Partial<typeof validSignup> & { email?: string; captchaToken?: string; timezone?: string } = {},
): Promise<{ client: TestClient; email: string; password: string }> {
  const email = overrides.email ?? uniqueEmail("owner");
  const client = h.client({ ip: uniqueIp() });
  const input = { ...validSignup, ...overrides, email };
  await client.trpc.auth.signup.mutate(input);
  const mails = await h.outbox(email);
  const verify = mails.findLast((m) => m.text.includes("/verify-email?token="));
  if (!verify) throw new Error(`no verification email for ${email}`);
  await client.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(verify.text, "/verify-email") });
  return { client, email, password: input.password };
}

/** A second user of the account, with the agent role, logged in on a client of its own. */
export async function loginAgent(
  h: Harness,
  accountId: string,
): Promise<{ client: TestClient; email: string; password: string }> {
  const email = uniqueEmail("agent");
  const password = "agent-password-123";
  await insertMember(h.db.db, {
    accountId,
    email,
    name: "Agent",
    passwordHash: await hashPassword(password),
    role: "agent",
    ageConfirmedAt: h.clock.now(),
    emailVerifiedAt: h.clock.now(),
  });
  const client = h.client({ ip: uniqueIp() });
  await client.trpc.auth.login.mutate({ email, password });
  return { client, email, password };
}

/** A raw HTTP call to a tRPC procedure: what a browser, a form or curl would send. */
export async function rawTrpc(
  h: Harness,
  path: string,
  options: {
    method?: "GET" | "POST";
    /** Sent as superjson's `{ json }` envelope unless `rawBody` is given. */
    input?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
  } = {},
) {
  const method = options.method ?? "POST";
  let url = `${h.url}/trpc/${path}`;
  let body: string | undefined;
  if (method === "GET") {
    if (options.input !== undefined)
      url += `?input=${encodeURIComponent(JSON.stringify({ json: options.input }))}`;
  } else {
    body =
      options.rawBody ?? (options.input === undefined ? undefined : JSON.stringify({ json: options.input }));
  }
  const response = await fetch(url, {
    method,
    headers: {
      origin: h.portalOrigin,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read tRPC's JSON envelopes freely
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Rows of a table, for "nothing was written" assertions. The email queue's due work is done first
 * (signups are completed and emails delivered after the answer), unless `flush` is false.
 */
export async function countRows(
  h: Harness,
  table: "users" | "accounts" | "auth_sessions" | "outbox_messages" | "email_tokens" | "email_queue",
  options: { flush?: boolean } = {},
) {
  if (options.flush !== false) await h.flushEmail();
  const { sql } = await import("drizzle-orm");
  const result = (await h.db.db.execute(sql.raw(`select count(*)::int as n from ${table}`))) as unknown as
    | { rows: Array<{ n: number }> }
    | Array<{ n: number }>;
  const rows = Array.isArray(result) ? result : result.rows;
  return Number(rows[0]!.n);
}
