/**
 * Instances of the built server as real OS processes on one PostgreSQL database (and one Redis):
 * what in-process "two instances" tests cannot show, since there one module's timers and one
 * process's start-up are shared. Needs a PostgreSQL server (TEST_DATABASE_URL, as CI sets it):
 * an embedded database belongs to one process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callSessions, createDb, type DbHandle, emailQueue } from "@cac/db";
import { createTestDatabase, migrationCount } from "@cac/db/testing";
import { and, eq, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltServer, buildServer, serverDir, startBuilt, verifiedOwner } from "./built-server-process";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { createTestClient, freePort, type TestClient, unique, uniqueIp } from "./harness";
import { type LocalRedis, startLocalRedis } from "./redis-server";

const databaseServer = process.env.TEST_DATABASE_URL;
// A bundle of this suite's own: another suite may be rebuilding dist/ meanwhile.
const outdir = `dist-${unique("instances")}`;
const migrations = migrationCount();

/** What an instance's start-up log says it applied (main.ts logs it after migrating). */
function appliedBy(server: BuiltServer): number | null {
  for (const line of server.output().split("\n")) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as { msg?: string; applied?: number };
    if (entry.msg === "database migrations applied" || entry.msg === "database schema up to date")
      return entry.applied ?? null;
  }
  return null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(databaseServer)("instances as real processes on one PostgreSQL database", () => {
  const cwd = mkdtempSync(join(tmpdir(), "cac-instances-"));

  beforeAll(async () => {
    await buildServer(outdir);
  }, 150_000);

  afterAll(() => {
    rmSync(join(serverDir, outdir), { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it("five instances started at once on an empty database all become ready, and the migrations ran once", {
    timeout: 180_000,
  }, async () => {
    const database = await createTestDatabase(databaseServer!);
    const servers: BuiltServer[] = [];
    try {
      const started = performance.now();
      const starts = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          startBuilt(
            cwd,
            {
              PATH: process.env.PATH,
              LOG_LEVEL: "info",
              DATA_DIR: join(cwd, `five-${i}`),
              DATABASE_URL: database.url,
            },
            undefined,
            outdir,
          ),
        ),
      );
      const allReadyMs = Math.round(performance.now() - started);
      for (const start of starts) if (start.status === "fulfilled") servers.push(start.value);
      expect(starts.flatMap((start) => (start.status === "rejected" ? [String(start.reason)] : []))).toEqual(
        [],
      );
      for (const server of servers) {
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status, server.output()).toBe(200);
      }

      // Drizzle recorded each migration once, and one instance applied them all: the others waited
      // for its lock and found nothing left to do.
      const check = await createDb({ url: database.url, maxConnections: 1 });
      try {
        const recorded = (await check.db.execute(
          sql`select hash from drizzle.__drizzle_migrations`,
        )) as unknown as Array<{ hash: string }>;
        expect(recorded).toHaveLength(migrations);
        expect(new Set(recorded.map((row) => row.hash)).size).toBe(migrations);
      } finally {
        await check.close();
      }
      expect(servers.map(appliedBy).sort((x, y) => (x ?? -1) - (y ?? -1))).toEqual([0, 0, 0, 0, migrations]);
      console.log(`five instances started at once on an empty database: all ready in ${allReadyMs} ms`);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
      await database.drop();
    }
  });

  describe("a call across two instances, on one Redis", () => {
    const RING_TIMEOUT_SECONDS = 5;
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let redis: LocalRedis;
    let db: DbHandle;
    let a: BuiltServer;
    let b: BuiltServer;
    let ownerOnA: TestClient;
    let ownerOnB: TestClient;
    let ownerEmail: string;
    let button: { publicId: string };

    beforeAll(async () => {
      database = await createTestDatabase(databaseServer!);
      // A Redis of its own: the server keys its limits with the default prefix.
      redis = await startLocalRedis();
      const [portA, portB] = [await freePort(), await freePort()];
      // One deployment: both instances answer for the same public address (a load balancer's).
      const publicUrl = `http://127.0.0.1:${portA}`;
      const env = (name: string) => ({
        PATH: process.env.PATH,
        LOG_LEVEL: "warn",
        DATA_DIR: join(cwd, name),
        DATABASE_URL: database.url,
        REDIS_URL: redis.url,
        PUBLIC_URL: publicUrl,
        RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS),
      });
      a = await startBuilt(cwd, env("a"), portA, outdir);
      b = await startBuilt(cwd, env("b"), portB, outdir);
      db = await createDb({ url: database.url, maxConnections: 2 });
      ownerOnA = await verifiedOwner(a.url);
      ownerEmail = (await ownerOnA.trpc.account.me.query())!.user.email;
      // The same browser, its requests sent to B by the load balancer.
      ownerOnB = createTestClient(b.url, publicUrl, uniqueIp());
      for (const [name, value] of ownerOnA.jar) ownerOnB.jar.set(name, value);
      button = await ownerOnA.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    }, 180_000);

    afterAll(async () => {
      await db?.close();
      await Promise.all([a?.stop(), b?.stop()]);
      await database?.drop();
      await redis?.stop();
    });

    async function call(sessionId: string) {
      const [row] = await db.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
      return row!;
    }

    async function missedCallEmails() {
      const rows = await db.db
        .select({ id: emailQueue.id })
        .from(emailQueue)
        .where(
          and(
            eq(emailQueue.kind, "email"),
            sql`${emailQueue.payload}->>'to' = ${ownerEmail}`,
            like(sql`${emailQueue.payload}->>'subject'`, "Missed call%"),
          ),
        );
      return rows.length;
    }

    let panelOnB: Awaited<ReturnType<typeof readyToAnswer>> | undefined;
    afterAll(() => panelOnB?.drop());
    /** Whether A would offer a call on the button now (it reads who is reachable through Redis). */
    async function callableOnA() {
      const input = encodeURIComponent(JSON.stringify({ json: { button: button.publicId } }));
      const res = await fetch(`${a.url}/trpc/widget.callable?input=${input}`, {
        headers: { origin: "https://shop.test" },
      });
      return ((await res.json()) as { result?: { data: { json: { callable: boolean } } } }).result?.data.json
        .callable;
    }

    /** The owner's phone panel is open (on B); a visitor's call reaches A. */
    async function startCallOnA() {
      panelOnB ??= await readyToAnswer(b.url, ownerOnB);
      for (let i = 0; !(await callableOnA()); i++) {
        if (i > 100) throw new Error("A never saw the panel held on B");
        await sleep(50);
      }
      const visitor = createTestClient(a.url, "https://shop.test", uniqueIp());
      const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
      return { visitor, started };
    }

    it("started on A and answered through B: A's ring timer does not end the call, and no missed-call email goes out", {
      timeout: 60_000,
    }, async () => {
      const { visitor, started } = await startCallOnA();
      await ownerOnB.trpc.phone.answer.mutate({ sessionId: started.sessionId });

      // A's ring timer fires at the ring timeout, and both sweepers run every 2 s.
      await sleep((RING_TIMEOUT_SECONDS + 4) * 1000);
      expect(await call(started.sessionId), a.output() + b.output()).toMatchObject({
        status: "in-progress",
        endedAt: null,
      });

      await visitor.trpc.calls.hangUp.mutate({
        button: button.publicId,
        sessionId: started.sessionId,
        token: started.token,
      });
      const ended = await call(started.sessionId);
      expect(ended.status).toBe("completed");
      expect(ended.durationSeconds).toBeGreaterThanOrEqual(RING_TIMEOUT_SECONDS + 4);
      expect(await missedCallEmails()).toBe(0);
    });

    it("a ring whose instance died is ended as no-answer at its deadline by the other, once", {
      timeout: 60_000,
    }, async () => {
      const { started } = await startCallOnA();
      // The instance that started the ring, with its timer, is gone at once.
      await a.stop("SIGKILL");

      const deadline = Date.now() + 30_000;
      while ((await call(started.sessionId)).status === "ringing" && Date.now() < deadline) await sleep(100);
      const ended = await call(started.sessionId);
      expect(ended).toMatchObject({ status: "no-answer", failureReason: "No one answered in time." });
      const lateMs = ended.endedAt!.getTime() - ended.ringDeadlineAt!.getTime();
      expect(lateMs).toBeGreaterThanOrEqual(0);
      // B's email worker sends it; one email for the one end.
      await sleep(1_000);
      expect(await missedCallEmails()).toBe(1);
      console.log(`a ring whose instance was killed ended ${lateMs} ms after its deadline`);
    });
  });
});
