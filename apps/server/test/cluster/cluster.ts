import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDb, type Db, type DbHandle, outboxMessages } from "@cac/db";
import { createTestDatabase } from "@cac/db/testing";
import { asc, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { type BuiltServer, buildServer, builtServer, serverDir, waitReady } from "../built-server-process";
import { freePort } from "../harness";
import { editConfig, type NginxProcess, startNginx } from "../nginx-process";

/**
 * A deployment of real processes, as docs/deploy.md describes it: the built server started N
 * times on one PostgreSQL database (new for each cluster) and one Redis (a key prefix of its own),
 * each instance on a port of its own, and in front of them a real nginx running
 * docs/nginx-cluster.conf (round robin, no sticky sessions, SSE unbuffered, X-Forwarded-For
 * appended; TRUST_PROXY=1 on the instances). Used by the Vitest suites and the Playwright specs.
 */

const root = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * Why the multi-process tests cannot run here, or null when they can: they need the PostgreSQL
 * (TEST_DATABASE_URL) and the Redis (REDIS_URL) that CI provides. A suite that gets a reason says
 * so and is reported as skipped, never as passed.
 */
export function clusterSkipReason(): string | null {
  const missing = ["TEST_DATABASE_URL", "REDIS_URL"].filter((name) => !process.env[name]);
  if (!missing.length) return null;
  const reason = `the multi-process tests need PostgreSQL and Redis: ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} not set`;
  // CI must run them: there a missing setting is a broken pipeline, not a reason to skip.
  if (process.env.CI) throw new Error(`${reason} (CI must set both)`);
  return `${reason} (CI sets both)`;
}

/** Builds the server (apps/server/build.mjs) into a directory of this cluster's own. */
async function buildServerCopy(): Promise<string> {
  // Beside dist/, at the same depth (the bundle finds its files by relative paths); a directory of
  // its own, because other suites may be building or running dist/ at the same time.
  const name = `dist-test-${randomBytes(4).toString("hex")}`;
  await buildServer(name);
  return join(serverDir, name);
}

/**
 * docs/nginx-cluster.conf with the test's listen port and instances (same parameters), and no TLS.
 * Instances on a port of `down` are marked down: nginx sends them nothing new.
 */
export function clusterSiteConfig(listenPort: number, instancePorts: number[], down: number[] = []): string {
  const source = readFileSync(join(root, "docs/nginx-cluster.conf"), "utf8");
  const servers = /(^\s*server 10\.0\.0\.\d+:3000([^;\n]*);\n)+/m;
  const parameters = servers.exec(source)?.[2] ?? "";
  const upstreams = instancePorts
    .map((port) => `    server 127.0.0.1:${port}${parameters}${down.includes(port) ? " down" : ""};\n`)
    .join("");
  return editConfig("docs/nginx-cluster.conf", source, [
    [/^\s*listen 443 ssl http2;$/m, `    listen 127.0.0.1:${listenPort};`],
    [/^\s*listen \[::\]:443 ssl http2;\n/m, ""],
    [/^\s*ssl_certificate .*\n/m, ""],
    [/^\s*ssl_certificate_key .*\n/m, ""],
    [servers, upstreams],
    // The plain-http redirect server: the test has one port only.
    [/\nserver \{\n\s*listen 80;[\s\S]*?\n\}\n/, "\n"],
  ]);
}

/** Whether something accepts TCP connections on 127.0.0.1:port (without sending a request). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

export type RestartTiming = {
  instance: string;
  exitCode: number | null;
  /** From SIGTERM to the process's exit. */
  exitMs: number;
  /** From the new process's spawn to its /readyz answering 200. */
  readyMs: number;
};

export type Cluster = {
  /** nginx's address as browsers name it (http://localhost:<port>): every instance's PUBLIC_URL. */
  url: string;
  /** nginx's address for clients in this process (127.0.0.1, no name lookup). */
  proxyUrl: string;
  proxyPort: number;
  instances: BuiltServer[];
  /** The cluster's database, for assertions on what the instances stored. */
  db: Db;
  /** The prefix of the cluster's Redis keys and channels (REDIS_KEY_PREFIX). */
  redisKeyPrefix: string;
  nginx: NginxProcess;
  /** Emails the instances delivered to the dev outbox for `to`, oldest first. */
  emailsTo(to: string): Promise<Array<{ subject: string; text: string }>>;
  /**
   * Has nginx send no new request to these instances (marked `down`, then reloaded), or to all of
   * them again with none. What they already carry (live streams) stays where it is.
   */
  routeAround(instances: BuiltServer[]): Promise<void>;
  /** SIGTERM, wait for the exit, start again on the same port and wait until ready. */
  restart(instance: BuiltServer): Promise<RestartTiming>;
  close(): Promise<void>;
};

export type ClusterOptions = {
  /** How many instances (default 3). */
  instances?: number;
  /** More settings for every instance, e.g. RING_TIMEOUT_SECONDS. */
  env?: Record<string, string>;
  /** Settings of one instance (by its name, "instance-a"…), after `env`. */
  envOf?: (name: string) => Record<string, string>;
};

/** Every child process a cluster of this test process started, killed if the process exits early. */
const started = new Set<() => void>();
process.once("exit", () => {
  for (const kill of started) kill();
});

/** Starts the cluster; requires TEST_DATABASE_URL and REDIS_URL (see `clusterSkipReason`). */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const reason = clusterSkipReason();
  if (reason) throw new Error(reason);
  const serverUrl = process.env.TEST_DATABASE_URL as string;
  const redisUrl = process.env.REDIS_URL as string;
  const dir = mkdtempSync(join(tmpdir(), "cac-cluster-"));
  const redisKeyPrefix = `cac-cluster-${randomBytes(5).toString("hex")}`;
  const cleanups: Array<() => Promise<unknown>> = [async () => rmSync(dir, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  try {
    const distDir = await buildServerCopy();
    cleanups.push(async () => rmSync(distDir, { recursive: true, force: true }));
    const database = await createTestDatabase(serverUrl);
    cleanups.push(() => database.drop());

    // nginx first, on its port, so every instance can be told its PUBLIC_URL. It is up once it
    // accepts connections: a request now would find every instance down and mark them failed.
    const ports: number[] = [];
    for (let i = 0; i < (options.instances ?? 3); i++) ports.push(await freePort());
    const nginxDir = join(dir, "nginx");
    mkdirSync(nginxDir);
    const nginx = await startNginx(nginxDir, (port) => clusterSiteConfig(port, ports), listening);
    cleanups.push(() => nginx.stop());
    const kill = () => nginx.child.kill("SIGKILL");
    started.add(kill);
    cleanups.push(async () => started.delete(kill));
    const url = `http://localhost:${nginx.port}`;

    const instances = ports.map((port, i) => {
      const name = `instance-${String.fromCharCode(97 + i)}`;
      const cwd = join(dir, name);
      mkdirSync(cwd);
      return builtServer({
        name,
        distDir,
        cwd,
        port,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "test",
          LOG_LEVEL: "info",
          PUBLIC_URL: url,
          DATABASE_URL: database.url,
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: redisKeyPrefix,
          TRUST_PROXY: "1",
          DATA_DIR: join(cwd, "data"),
          ...options.env,
          ...options.envOf?.(name),
        },
      });
    });
    for (const instance of instances) {
      const killInstance = () => instance.child()?.kill("SIGKILL");
      started.add(killInstance);
      cleanups.push(async () => {
        started.delete(killInstance);
        await instance.stop();
      });
    }
    // The first instance migrates the new database alone; the others then find it migrated.
    const [first, ...others] = instances;
    await first?.start();
    await Promise.all(others.map((instance) => instance.start()));
    await waitReady(`http://127.0.0.1:${nginx.port}/readyz`, () => null, 30_000);

    const handle: DbHandle = await createDb({ url: database.url, maxConnections: 2 });
    cleanups.push(() => handle.close());
    cleanups.push(() => deleteKeys(redisUrl, redisKeyPrefix));

    return {
      url,
      proxyUrl: `http://127.0.0.1:${nginx.port}`,
      proxyPort: nginx.port,
      instances,
      db: handle.db,
      redisKeyPrefix,
      nginx,
      async emailsTo(to) {
        return handle.db
          .select({ subject: outboxMessages.subject, text: outboxMessages.text })
          .from(outboxMessages)
          .where(eq(outboxMessages.to, to))
          .orderBy(asc(outboxMessages.createdAt));
      },
      routeAround: (down) =>
        nginx.reload(
          clusterSiteConfig(
            nginx.port,
            ports,
            down.map((instance) => instance.port),
          ),
        ),
      async restart(instance) {
        const stopped = await instance.stop("SIGTERM");
        const readyMs = await instance.start();
        return { instance: instance.name, exitCode: stopped.code, exitMs: stopped.ms, readyMs };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Removes the cluster's keys from the shared Redis (limiter counters). */
async function deleteKeys(url: string, prefix: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
