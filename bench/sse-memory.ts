// npm run bench -- sse-memory [--streams 1000] [--settle 3]
//
// Memory per idle live stream (SSE) on one server process.
//
// The real app (PGlite, or Postgres at TEST_DATABASE_URL; Redis pubsub and stream slots with
// REDIS_URL) runs in a child process. N agents of one account each open their phone panel's feed
// (`phone.events`, their own login, from their own address through the trusted proxy), and the
// feeds stay idle: no call rings. The child's RSS and V8 heap are read after a full GC, before the
// streams open and once they are all open and have settled; the difference divided by N is the
// cost of one stream. They are read again after the streams close (what stays is not per stream).
//
// The baselines, measured the same way in the same run: a bare Fastify route that holds a
// server-sent event stream with a ping every 10 s (the floor: a socket, an HTTP response, a
// timer), and an idle tRPC subscription on Fastify with the app's SSE settings (what tRPC's own
// SSE machinery costs). The app's figure is reported next to them, as ratios.
import { randomBytes } from "node:crypto";
import { createServer, request } from "node:http";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createSession, hashPassword, SESSION_COOKIE } from "@cac/core";
import { memberships, users } from "@cac/db";
import { initTRPC } from "@trpc/server";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify from "fastify";
import superjson from "superjson";
import { writeResult } from "./call-log";
import { signUpAndVerify, startRealApp } from "./lib/real-app";
import { startTarget } from "./lib/spawn";
import { defineTarget, type StartedTarget } from "./lib/target";

type Memory = { rss: number; heapUsed: number; external: number };

setFlagsFromString("--expose_gc");
const gc = runInNewContext("gc") as () => void;

/** A control port on the child: /memory answers its memory after a full GC; /sessions the logins. */
async function control(sessions: string[]) {
  const server = createServer((req, res) => {
    if (req.url === "/memory") {
      for (let i = 0; i < 3; i++) gc();
      const { rss, heapUsed, external } = process.memoryUsage();
      return res.writeHead(200).end(JSON.stringify({ rss, heapUsed, external } satisfies Memory));
    }
    if (req.url === "/sessions") return res.writeHead(200).end(JSON.stringify(sessions));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  return { url: `http://127.0.0.1:${address.port}`, close: () => server.close() };
}

/** The real app, with `SSE_MEMORY_AGENTS` agents of one account logged in. */
async function appTarget(): Promise<StartedTarget> {
  const agents = Number(process.env.SSE_MEMORY_AGENTS ?? "1000");
  const app = await startRealApp({ redisUrl: process.env.REDIS_URL, trustProxy: true });
  await signUpAndVerify(app);
  const [owner] = await app.db.db.select().from(memberships);
  if (!owner) throw new Error("no owner");
  const passwordHash = await hashPassword(randomBytes(16).toString("hex"));
  const rows = Array.from({ length: agents }, (_, i) => ({
    email: `agent-${i}@bench.test`,
    name: `Agent ${i}`,
    passwordHash,
    ageConfirmedAt: new Date(),
    emailVerifiedAt: new Date(),
  }));
  const ids = [];
  for (let i = 0; i < rows.length; i += 200) {
    ids.push(
      ...(await app.db.db
        .insert(users)
        .values(rows.slice(i, i + 200))
        .returning({ id: users.id })),
    );
  }
  await app.db.db
    .insert(memberships)
    .values(ids.map(({ id: userId }) => ({ accountId: owner.accountId, userId, role: "agent" as const })));
  const sessions = [];
  for (const { id } of ids) sessions.push((await createSession(app.ports, id, {})).token);
  const ctl = await control(sessions);
  return {
    url: `${app.url}/trpc/phone.events`,
    notes: {
      control: ctl.url,
      database: app.db.kind,
      pubsub: app.ports.pubsub.mode,
    },
    async stop() {
      ctl.close();
      await app.close();
    },
  };
}

/** The floor: Fastify holding an SSE response with a ping every 10 s, nothing else. */
async function bareTarget(): Promise<StartedTarget> {
  const app = Fastify({ logger: false });
  app.get("/sse", (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    reply.raw.write("event: connected\ndata: {}\n\n");
    const ping = setInterval(() => reply.raw.write("event: ping\ndata: \n\n"), 10_000);
    req.raw.once("close", () => clearInterval(ping));
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  const ctl = await control([]);
  return {
    url: `http://127.0.0.1:${address.port}/sse`,
    notes: { control: ctl.url },
    async stop() {
      ctl.close();
      await app.close();
    },
  };
}

/** tRPC's own share: an idle subscription on Fastify, with the app's SSE settings and transformer. */
async function trpcTarget(): Promise<StartedTarget> {
  const t = initTRPC.create({
    transformer: superjson,
    sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
  });
  const router = t.router({
    idle: t.procedure.subscription(async function* ({ signal }) {
      await new Promise<void>((resolve) => signal?.addEventListener("abort", () => resolve()));
      // Never reached: the subscription only holds its stream until the client leaves.
      if (!signal) yield 0;
    }),
  });
  const app = Fastify({ logger: false });
  await app.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions: { router } });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no TCP address");
  const ctl = await control([]);
  return {
    url: `http://127.0.0.1:${address.port}/trpc/idle`,
    notes: { control: ctl.url },
    async stop() {
      ctl.close();
      await app.close();
    },
  };
}

const targets = { bare: bareTarget, trpc: trpcTarget, app: appTarget };
type TargetName = keyof typeof targets;
const labels: Record<TargetName, string> = {
  bare: "bare Fastify SSE route (baseline)",
  trpc: "an idle tRPC subscription",
  app: "the app's phone.events",
};

export default defineTarget({
  name: "sse-memory-server",
  description: "a server holding idle SSE streams: a bare Fastify route, an idle tRPC subscription, the app",
  start: () => targets[(process.env.SSE_MEMORY_TARGET as TargetName | undefined) ?? "app"](),
});

// --- The clients, and the report --------------------------------------------------------------

type Stream = { close(): void };

/** Opens one SSE stream and resolves once its `connected` event arrived. */
function openStream(url: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: "text/event-stream", ...headers }, agent: false });
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`${url} answered ${res.statusCode}`));
        res.resume();
        return;
      }
      let text = "";
      const onData = (chunk: Buffer) => {
        text += chunk;
        if (text.includes("event: connected")) {
          res.off("data", onData);
          res.resume();
          resolve({ close: () => req.destroy() });
        }
      };
      res.on("data", onData);
    });
    req.on("error", reject);
    req.end();
  });
}

async function getJson<T>(url: string): Promise<T> {
  // Tried again once: the child may be busy letting a thousand sockets go.
  const res = await fetch(url).catch(() => fetch(url));
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return (await res.json()) as T;
}

const RELEASE_WAIT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const kb = (bytes: number) => bytes / 1024;

type Figures = {
  target: string;
  streams: number;
  before: Memory;
  open: Memory;
  closed: Memory;
  /** From closing the streams to their heap being let go (or RELEASE_WAIT_MS). */
  releasedSeconds: number;
  rssPerStreamKb: number;
  heapPerStreamKb: number;
  notes: Record<string, string>;
};

async function measure(target: TargetName, streams: number, settleSeconds: number): Promise<Figures> {
  process.env.SSE_MEMORY_TARGET = target;
  process.env.SSE_MEMORY_AGENTS = String(streams);
  const running = await startTarget(fileURLToPath(import.meta.url), 300_000);
  try {
    const { url, notes = {} } = running.info;
    const controlUrl = notes.control ?? "";
    const sessions = target === "app" ? await getJson<string[]>(`${controlUrl}/sessions`) : [];
    const headersOf = (i: number): Record<string, string> =>
      target === "app"
        ? {
            cookie: `${SESSION_COOKIE}=${sessions[i]}`,
            // Each agent from an address of its own, as behind the load balancer.
            "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          }
        : {};
    // Warm up: code paths compiled, pools filled, then let go.
    const warm = await Promise.all(Array.from({ length: 20 }, (_, i) => openStream(url, headersOf(i))));
    for (const stream of warm) stream.close();
    await sleep(settleSeconds * 1000);
    const before = await getJson<Memory>(`${controlUrl}/memory`);
    const open: Stream[] = [];
    for (let i = 0; i < streams; i += 50) {
      const batch = Array.from({ length: Math.min(50, streams - i) }, (_, j) =>
        openStream(url, headersOf(i + j)),
      );
      open.push(...(await Promise.all(batch)));
    }
    await sleep(settleSeconds * 1000);
    const during = await getJson<Memory>(`${controlUrl}/memory`);
    // Closed: the server lets go of them (within RELEASE_WAIT_MS), unless something leaks.
    for (const stream of open) stream.close();
    const closedAt = performance.now();
    let closed = await getJson<Memory>(`${controlUrl}/memory`);
    while (
      closed.heapUsed - before.heapUsed > (during.heapUsed - before.heapUsed) / 10 &&
      performance.now() - closedAt < RELEASE_WAIT_MS
    ) {
      await sleep(1000);
      closed = await getJson<Memory>(`${controlUrl}/memory`);
    }
    const releasedSeconds = (performance.now() - closedAt) / 1000;
    return {
      target,
      streams,
      before,
      open: during,
      closed,
      releasedSeconds,
      rssPerStreamKb: kb(during.rss - before.rss) / streams,
      heapPerStreamKb: kb(during.heapUsed - before.heapUsed) / streams,
      notes,
    };
  } finally {
    await running.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: { streams: { type: "string", default: "1000" }, settle: { type: "string", default: "3" } },
  });
  const streams = Number(values.streams);
  const settle = Number(values.settle);
  console.log(
    `Memory per idle SSE stream: ${streams} streams on one server process` +
      (process.env.TEST_DATABASE_URL ? ", Postgres" : ", PGlite") +
      (process.env.REDIS_URL ? ", Redis pubsub and stream slots" : ", in-process pubsub"),
  );
  const rows: Figures[] = [];
  for (const target of ["bare", "trpc", "app"] as const) {
    process.stdout.write(`- ${labels[target]} ... `);
    const figures = await measure(target, streams, settle);
    rows.push(figures);
    console.log(`${figures.rssPerStreamKb.toFixed(1)} KB RSS per stream`);
  }
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  console.log("");
  console.log(
    "target  streams  RSS before  RSS open  RSS closed  RSS/stream  heap/stream  heap kept/stream after close",
  );
  for (const row of rows) {
    console.log(
      [
        row.target.padEnd(6),
        String(row.streams).padStart(7),
        mb(row.before.rss).padStart(10),
        mb(row.open.rss).padStart(8),
        mb(row.closed.rss).padStart(10),
        `${row.rssPerStreamKb.toFixed(1)} KB`.padStart(10),
        `${row.heapPerStreamKb.toFixed(1)} KB`.padStart(11),
        `${(kb(row.closed.heapUsed - row.before.heapUsed) / row.streams).toFixed(1)} KB (after ${row.releasedSeconds.toFixed(1)} s)`,
      ].join("  "),
    );
  }
  const [bare, trpc, app] = rows;
  if (bare && trpc && app) {
    // Heap is the steadier figure: RSS moves by whole pages the allocator keeps or returns.
    const ratio = (a: Figures, b: Figures) => (a.heapPerStreamKb / b.heapPerStreamKb).toFixed(1);
    console.log(
      `\nHeap per stream: the app ${ratio(app, bare)}× a bare Fastify SSE stream, ${ratio(app, trpc)}× an idle tRPC subscription.`,
    );
  }
  console.log(`Written: ${writeResult("sse-memory", { streams, settleSeconds: settle, rows })}`);
  process.exit(0);
}
