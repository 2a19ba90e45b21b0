import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema/index";

export type Schema = typeof schema;
/** The query surface shared by both backends; services depend on this, never on a driver. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DbConfig = {
  /** postgres:// URL. When absent, an embedded PGlite database is used. */
  url?: string | undefined;
  /** Directory for the embedded database; `memory://` keeps it in memory (tests). */
  dataDir?: string | undefined;
  /** Pool size for postgres.js. */
  maxConnections?: number | undefined;
  /**
   * An embedded database's files to start from (a `dumpDataDir` tarball), instead of an empty
   * cluster: tests load one migrated snapshot rather than migrating every database anew.
   */
  loadDataDir?: Blob | undefined;
};

export type DbHandle = {
  db: Db;
  kind: "postgres" | "pglite";
  /** Applies the migrations not applied yet; resolves with how many this call applied. */
  migrate(): Promise<{ applied: number }>;
  ping(): Promise<void>;
  /** Whether this process closed the database (at shutdown): nothing will answer any more. */
  isClosed(): boolean;
  close(): Promise<void>;
};

// Found through the package, not this file's location, so it holds in the server's bundle too.
export const migrationsFolder = join(
  dirname(createRequire(import.meta.url).resolve("@cac/db/package.json")),
  "migrations",
);

/** The advisory lock that lets one instance at a time migrate a shared database. */
const MIGRATION_LOCK = "cac:migrations";

/** Drizzle's record of the migrations applied (absent until the first one runs). */
const MIGRATIONS_TABLE = "drizzle.__drizzle_migrations";

async function appliedMigrations(db: Db): Promise<number> {
  const [found] = rowsOf<{ table: string | null }>(
    await db.execute(sql`select to_regclass(${MIGRATIONS_TABLE})::text as table`),
  );
  if (!found?.table) return 0;
  const [counted] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from ${sql.raw(MIGRATIONS_TABLE)}`),
  );
  return counted?.n ?? 0;
}

/**
 * The embedded engine's shared buffers (PostgreSQL's page cache). PGlite starts with 128 MB,
 * which it touches at start and keeps: most of its idle memory. The files stay in the operating
 * system's cache too, so a smaller pool costs a read from that cache on a miss, not a disk seek.
 */
export const EMBEDDED_SHARED_BUFFERS = "16MB";

/**
 * The embedded engine runs on V8's baseline WebAssembly compiler (Liftoff) only. Optimizing its
 * hot functions (TurboFan) costs about 70 MB of compiler memory that the process keeps, and about
 * twice the CPU time of a start; in return, heavy aggregates run about 1.4x faster once warm
 * (light queries alike). It concerns WebAssembly code only, and must be set before the engine is
 * compiled.
 */
const EMBEDDED_ENGINE_V8_FLAG = "--liftoff-only";

/**
 * Creates a new embedded database in `dataDir` in a process of its own. PGlite's initdb peaks at
 * about 750 MB, and a process keeps most of that afterwards (a WebAssembly memory never shrinks);
 * a child gives it all back when it exits, and the server then opens the database as on any
 * later start.
 */
async function initEmbeddedDatabase(dataDir: string, startParams: string[]): Promise<void> {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const script = `const { PGlite } = require(${JSON.stringify(entry)});
PGlite.create(process.argv[1], { startParams: JSON.parse(process.argv[2]) })
  .then((pg) => pg.close())
  .catch((error) => { console.error(error); process.exit(1); });`;
  await new Promise<void>((done, fail) => {
    const args = [EMBEDDED_ENGINE_V8_FLAG, "-e", script, resolve(dataDir), JSON.stringify(startParams)];
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.once("error", fail);
    child.once("exit", (code, signal) =>
      code === 0
        ? done()
        : fail(
            new Error(
              `creating the embedded database in ${dataDir} failed (${signal ?? `exit ${code}`}): ${stderr}`,
            ),
          ),
    );
  });
}

/** Rows of a raw `execute`: postgres.js returns an array, PGlite an object with `rows`. */
function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * Opens the database. Each backend's driver is loaded only when chosen: the embedded engine alone
 * takes ~40 MB of memory that a server on Postgres never needs.
 */
export async function createDb(config: DbConfig = {}): Promise<DbHandle> {
  if (config.url) {
    const [{ default: postgres }, { drizzle: drizzlePostgres }, { migrate: migratePostgres }] =
      await Promise.all([
        import("postgres"),
        import("drizzle-orm/postgres-js"),
        import("drizzle-orm/postgres-js/migrator"),
      ]);
    const url = config.url;
    const client = postgres(url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: 5,
    });
    const db = drizzlePostgres(client, { schema, casing: "snake_case" });
    let closed = false;
    return {
      db: db as unknown as Db,
      kind: "postgres",
      // Instances starting together would otherwise run the same migrations at once, and all but one
      // crash on "already exists". One connection of its own holds a session advisory lock while it
      // migrates: the others wait for it, then find nothing left to apply. A crashed holder's
      // connection closes, which releases the lock.
      migrate: async () => {
        const session = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
        try {
          const locked = drizzlePostgres(session, { schema, casing: "snake_case" });
          await locked.execute(sql`select pg_advisory_lock(hashtextextended(${MIGRATION_LOCK}, 0))`);
          const before = await appliedMigrations(locked as unknown as Db);
          await migratePostgres(locked, { migrationsFolder });
          return { applied: (await appliedMigrations(locked as unknown as Db)) - before };
        } finally {
          await session.end({ timeout: 5 });
        }
      },
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      isClosed: () => closed,
      close: () => {
        closed = true;
        return client.end({ timeout: 5 });
      },
    };
  }
  const dataDir = config.dataDir ?? "./data/pg";
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  setFlagsFromString(EMBEDDED_ENGINE_V8_FLAG);
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const startParams = [...PGlite.defaultStartParams, "-c", `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`];
  const inMemory = dataDir.startsWith("memory://");
  if (!inMemory && !existsSync(join(dataDir, "PG_VERSION"))) await initEmbeddedDatabase(dataDir, startParams);
  const client = new PGlite(dataDir, {
    startParams,
    ...(config.loadDataDir ? { loadDataDir: config.loadDataDir } : {}),
  });
  const db = drizzlePglite(client, { schema, casing: "snake_case" });
  return {
    db: db as unknown as Db,
    kind: "pglite",
    // One process owns an embedded database: nothing else can migrate it at the same time.
    migrate: async () => {
      const before = await appliedMigrations(db as unknown as Db);
      await migratePglite(db, { migrationsFolder });
      return { applied: (await appliedMigrations(db as unknown as Db)) - before };
    },
    ping: async () => {
      if (client.closed) throw new Error("database is closed");
      await db.execute(sql`select 1`);
    },
    isClosed: () => client.closed,
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
