// The server side of the idle streams benchmark (bench/idle-streams.ts), in a process of its own.
//
// IDLE_STREAMS_KIND=app: the real app with account A, whose IDLE_STREAMS_AGENTS agents (the owner
// and agents added as rows) are available and logged in, and account B, whose owner alone is; each
// has a button ready for the widget's calls.start. IDLE_STREAMS_KIND=bare: a bare Fastify route
// holding server-sent event streams with a ping every 10 s (the floor a stream costs).
//
// A control port answers: /memory (after a full GC), /sessions (account A's session cookies), /db
// (statements run so far, and the Postgres backends' pids), /ping, and POST /restart, which stops
// the server as SIGTERM would (drain, close) and starts a new one on the same port and database.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { Session } from "node:inspector/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createSession, hashPassword, sha256 } from "@cac/core";
import { authSessions, memberships, users } from "@cac/db";
import { sql } from "drizzle-orm";
import Fastify, { type FastifyInstance } from "fastify";
import { createBenchButton } from "./bench-button";
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart, SITE_HOST } from "./calls-start";
import { PORTAL_ORIGIN, type RealApp, type RealAppOptions, signUpAndVerify, startRealApp } from "./real-app";
import { defineTarget, type StartedTarget } from "./target";

setFlagsFromString("--expose_gc");
const gc = runInNewContext("gc") as () => void;

type Routes = Record<string, () => Promise<unknown>>;

/**
 * A CPU profile of this process between /profile-start and /profile-stop, written to the file
 * IDLE_STREAMS_PROFILE names (`npm run bench -- idle-streams --profile <dir>`).
 */
function profiler(): Routes {
  const session = new Session();
  return {
    "/profile-start": async () => {
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.start");
    },
    "/profile-stop": async () => {
      const { profile } = await session.post("Profiler.stop");
      session.disconnect();
      // `?ring`: the ring's profile, next to the reconnects'.
      const query = (globalThis as { controlQuery?: string }).controlQuery;
      const file = process.env.IDLE_STREAMS_PROFILE?.replace(
        "reconnect-",
        query ? `${query}-` : "reconnect-",
      );
      if (file) writeFileSync(file, JSON.stringify(profile));
      return file ?? null;
    },
  };
}

/** The control port: each route answers JSON. */
async function control(routes: Routes) {
  const server = createServer((req, res) => {
    const [path = "", query] = (req.url ?? "").split("?");
    const route = routes[path];
    (globalThis as { controlQuery?: string }).controlQuery = query;
    if (!route) return res.writeHead(404).end();
    route().then(
      (body) => res.writeHead(200).end(JSON.stringify(body ?? null)),
      (error) => res.writeHead(500).end(String(error?.stack ?? error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

async function memory() {
  for (let i = 0; i < 3; i++) gc();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

const rowsOf = <T>(result: unknown): T[] =>
  (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];

/**
 * Counts the statements an embedded database runs (its statistics are not kept): each query and
 * exec of the PGlite client. Postgres counts its own transactions (pg_stat_database).
 */
function countPgliteStatements(app: RealApp) {
  const counter = { statements: 0 };
  if (app.db.kind !== "pglite") return counter;
  const client = (app.db.db as unknown as { $client: Record<string, (...args: unknown[]) => unknown> })
    .$client;
  for (const method of ["query", "exec"] as const) {
    const original = client[method]?.bind(client);
    if (!original) continue;
    client[method] = (...args: unknown[]) => {
      counter.statements++;
      return original(...args);
    };
  }
  return counter;
}

/** Adds `count` available agents to the account, each with a session; their cookies. */
async function addAgents(app: RealApp, accountId: string, count: number): Promise<string[]> {
  const passwordHash = await hashPassword(randomBytes(12).toString("hex"));
  const cookies: string[] = [];
  const now = new Date();
  for (let i = 0; i < count; i += 500) {
    const rows = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
      email: `agent-${i + j}-${randomBytes(4).toString("hex")}@clickandcall.test`,
      name: `Agent ${i + j}`,
      passwordHash,
      emailVerifiedAt: now,
      ageConfirmedAt: now,
    }));
    const ids = await app.db.db.insert(users).values(rows).returning({ id: users.id });
    await app.db.db.insert(memberships).values(
      ids.map(({ id: userId }) => ({
        accountId,
        userId,
        role: "agent" as const,
        available: true,
        seenAt: now,
      })),
    );
    // Sessions as createSession makes them (token `id.secret`, the secret's hash stored), in bulk.
    const sessions = ids.map(({ id: userId }) => {
      const id = randomBytes(18).toString("base64url");
      const secret = randomBytes(24).toString("base64url");
      cookies.push(`cac_session=${id}.${secret}`);
      return {
        id,
        userId,
        activeAccountId: accountId,
        secretHash: sha256(secret),
        createdAt: now,
        lastVerifiedAt: now,
      };
    });
    await app.db.db.insert(authSessions).values(sessions);
  }
  return cookies;
}

/** The widget's calls.start for a button, as the customer's page sends it (the bench adds the IP). */
function startRequest(app: RealApp, publicId: string) {
  return {
    url: `${app.url}/trpc/calls.start`,
    headers: { "content-type": "application/json", origin: `https://${SITE_HOST}` },
    body: JSON.stringify({ json: { button: publicId, pageUrl: `https://${SITE_HOST}/contact` } }),
  };
}

async function appTarget(): Promise<StartedTarget> {
  const agents = Number(process.env.IDLE_STREAMS_AGENTS ?? "1000");
  const redisUrl = process.env.IDLE_STREAMS_REDIS_URL || undefined;
  const options: RealAppOptions = {
    limits: liftedCallLimits,
    trustProxy: true,
    ringTimeoutSeconds: BENCH_RING_SECONDS,
    ...(redisUrl ? { redisUrl, limiterKeyPrefix: `cac-bench-${randomBytes(4).toString("hex")}` } : {}),
  };
  let app = await startRealApp(options);
  const port = Number(new URL(app.url).port);
  let counter = countPgliteStatements(app);
  const a = await prepareCallsStart(app);
  // The owner's own phone panel keeps them present from here on, as the agents' panels do.
  a.stopPresence();
  const [owner] = await app.db.db
    .select({ id: memberships.userId })
    .from(memberships)
    .where(sql`${memberships.accountId} = ${a.accountId}`);
  if (!owner) throw new Error("the bench owner is missing");
  const ownerSession = await createSession(app.ports, owner.id, {});
  const cookies = [`cac_session=${ownerSession.token}`, ...(await addAgents(app, a.accountId, agents - 1))];

  const b = await signUpAndVerify(app, "bench-second@clickandcall.test");
  const publicIdB = await createBenchButton(app, b.cookie, SITE_HOST);
  const available = await fetch(`${app.url}/trpc/phone.setAvailable`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_ORIGIN, cookie: b.cookie },
    body: JSON.stringify({ json: { available: true } }),
  });
  if (!available.ok) throw new Error(`phone.setAvailable answered ${available.status}`);

  const db = async () => {
    if (app.db.kind === "pglite") return { statements: counter.statements, pids: [] };
    const [stats] = rowsOf<{ xact: string; updated: string }>(
      await app.db.db.execute(
        sql`select xact_commit + xact_rollback as xact, tup_updated as updated from pg_stat_database where datname = current_database()`,
      ),
    );
    const pids = rowsOf<{ pid: number }>(
      await app.db.db.execute(
        sql`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      ),
    );
    return {
      statements: Number(stats?.xact ?? 0),
      rowsUpdated: Number(stats?.updated ?? 0),
      pids: [...pids.map((row) => row.pid)],
    };
  };
  const ctl = await control({
    ...profiler(),
    "/memory": memory,
    "/sessions": async () => cookies,
    "/db": db,
    // What setting the bench up left for autovacuum is done now, not during the idle window.
    "/settle": async () => {
      if (app.db.kind === "postgres") await app.db.db.execute(sql`vacuum analyze`);
    },
    "/ping": async () => "ok",
    "/restart": async () => {
      // The panels have been open for hours: their sessions were last verified then, so each one
      // that reconnects is renewed, as after a real restart.
      await app.db.db.execute(
        sql`update auth_sessions set last_verified_at = last_verified_at - interval '2 hours', created_at = created_at - interval '2 hours'`,
      );
      // What SIGTERM does (main.ts), the database kept: then a new server on the same port.
      app.drain.begin();
      await app.drain.settled(1000);
      await app.app.close();
      app = await startRealApp({ ...options, db: app.db, port });
      counter = countPgliteStatements(app);
      return "restarted";
    },
  });
  return {
    url: `${app.url}/trpc/phone.events`,
    notes: {
      control: ctl.url,
      database: app.db.kind,
      pubsub: app.ports.pubsub.mode,
      startA: JSON.stringify(startRequest(app, a.publicId)),
      startB: JSON.stringify(startRequest(app, publicIdB)),
      buttonA: a.publicId,
      buttonB: publicIdB,
      cookieB: b.cookie,
    },
    async stop() {
      ctl.close();
      await app.close();
    },
  };
}

/** The floor: Fastify holding SSE responses with a ping every 10 s each, nothing else. */
async function bareTarget(): Promise<StartedTarget> {
  const open = new Set<ServerResponse>();
  const start = async (port: number) => {
    const app = Fastify({ logger: false });
    app.get("/sse", (req, reply) => {
      reply.hijack();
      reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      reply.raw.write("event: connected\ndata: {}\n\n");
      open.add(reply.raw);
      const ping = setInterval(() => reply.raw.write("event: ping\ndata: \n\n"), 10_000);
      req.raw.once("close", () => {
        clearInterval(ping);
        open.delete(reply.raw);
      });
    });
    await app.listen({ port, host: "127.0.0.1" });
    return app;
  };
  let app: FastifyInstance = await start(0);
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  const ctl = await control({
    ...profiler(),
    "/memory": memory,
    "/sessions": async () => [],
    "/db": async () => ({ statements: 0, pids: [] }),
    "/settle": async () => null,
    "/ping": async () => "ok",
    "/restart": async () => {
      for (const res of open) res.end();
      await app.close();
      app = await start(address.port);
      return "restarted";
    },
  });
  return {
    url: `http://127.0.0.1:${address.port}/sse`,
    notes: { control: ctl.url },
    async stop() {
      ctl.close();
      for (const res of open) res.end();
      await app.close();
    },
  };
}

export default defineTarget({
  name: "idle-streams-server",
  description: "a server holding idle SSE streams: the app's phone panels, or a bare Fastify route",
  start: () => (process.env.IDLE_STREAMS_KIND === "bare" ? bareTarget() : appTarget()),
});
