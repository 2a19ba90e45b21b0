// Starts the real server (buildApp) on a loopback port with a fresh, migrated database:
// an in-memory PGlite, or a new database on the Postgres at TEST_DATABASE_URL when set.
import { outboxMessages } from "@cac/db";
import { createTestDb, type TestDbHandle } from "@cac/db/testing";
import { desc, eq } from "drizzle-orm";
import { type BuildOptions, type BuiltApp, buildApp } from "../../apps/server/src/app";
import { loadConfig } from "../../apps/server/src/config";

/** The portal origin the app is configured with; mutations must present it (CSRF check). */
export const PORTAL_ORIGIN = "http://localhost:3000";

export type RealApp = BuiltApp & { url: string; db: TestDbHandle; close(): Promise<void> };

export type RealAppOptions = Pick<BuildOptions, "limits" | "limiter" | "limiterKeyPrefix" | "pushAgent"> & {
  /** Redis for the limiter and pubsub (as REDIS_URL would configure them); in-process without. */
  redisUrl?: string;
  /** Behind one trusted proxy (TRUST_PROXY=1): the visitor's address is X-Forwarded-For's. */
  trustProxy?: boolean;
  /** RING_TIMEOUT_SECONDS: how long a call rings before it ends unanswered (default 30). */
  ringTimeoutSeconds?: number;
  /** This database instead of a fresh one (a restarted server keeps its data); closed with the app. */
  db?: TestDbHandle;
  /** Listen on this port (a restarted server takes its predecessor's); 0 by default. */
  port?: number;
  /** Other settings, as the environment would give them. */
  env?: Record<string, string>;
};

export async function startRealApp(options: RealAppOptions = {}): Promise<RealApp> {
  const db = options.db ?? (await createTestDb());
  const config = loadConfig({
    NODE_ENV: "production",
    PUBLIC_URL: PORTAL_ORIGIN,
    HOST: "127.0.0.1",
    PORT: "0",
    // Request logging is off so the figures measure the app, not the terminal.
    LOG_LEVEL: "silent",
    // The bench reads emailed links from the outbox, and passes its own database in.
    ALLOW_DEV_OUTBOX_IN_PRODUCTION: "true",
    ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION: "true",
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...(options.trustProxy ? { TRUST_PROXY: "1" } : {}),
    ...(options.ringTimeoutSeconds ? { RING_TIMEOUT_SECONDS: String(options.ringTimeoutSeconds) } : {}),
    ...options.env,
  });
  const { limits, limiter, limiterKeyPrefix, pushAgent } = options;
  const built = await buildApp(config, {
    db,
    limits,
    limiter,
    limiterKeyPrefix,
    ...(pushAgent ? { pushAgent } : {}),
  });
  await built.app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const address = built.app.server.address();
  if (!address || typeof address === "string") throw new Error("the app is not listening on a TCP port");
  return {
    ...built,
    db,
    url: `http://127.0.0.1:${address.port}`,
    async close() {
      await built.app.close();
      await db.close();
    },
  };
}

async function trpcMutation(app: RealApp, path: string, input: unknown, cookie?: string) {
  const response = await fetch(`${app.url}/trpc/${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: PORTAL_ORIGIN,
      ...(cookie ? { cookie } : {}),
    },
    // tRPC with the superjson transformer: plain JSON input travels as { json }.
    body: JSON.stringify({ json: input }),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return response;
}

/**
 * Signs a new owner up through the API, follows the emailed verification link (read from the
 * dev outbox table) and returns the session cookie that verification sets.
 */
export async function signUpAndVerify(app: RealApp, email = "bench-owner@clickandcall.test") {
  await trpcMutation(app, "auth.signup", {
    name: "Bench Owner",
    email,
    companyName: "Bench Plumbing",
    websiteUrl: "bench-plumbing.test",
    phone: "(202) 555-0143",
    password: "correct-battery-staple-42",
    ageConfirmed: true,
  });
  // The confirmation is queued; it is in the outbox once the queue has done its due work.
  await app.emailWorker.drain();
  const [mail] = await app.db.db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.to, email))
    .orderBy(desc(outboxMessages.createdAt))
    .limit(1);
  const token = mail?.text.match(/\/verify-email\?token=([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error(`no verification link was emailed to ${email}`);
  const verified = await trpcMutation(app, "auth.verifyEmail", { token });
  const session = verified.headers
    .getSetCookie()
    .map((line) => line.split(";")[0] ?? "")
    .find((pair) => pair.startsWith("cac_session="));
  if (!session) throw new Error("verifying the email did not start a session");
  return { email, cookie: session };
}
