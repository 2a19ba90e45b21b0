import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
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
};

export type DbHandle = {
  db: Db;
  kind: "postgres" | "pglite";
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

// Found through the package, not this file's location, so it holds in the server's bundle too.
export const migrationsFolder = join(
  dirname(createRequire(import.meta.url).resolve("@cac/db/package.json")),
  "migrations",
);

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
    const client = postgres(config.url, {
      max: config.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: 5,
    });
    const db = drizzlePostgres(client, { schema, casing: "snake_case" });
    return {
      db: db as unknown as Db,
      kind: "postgres",
      migrate: () => migratePostgres(db, { migrationsFolder }),
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = config.dataDir ?? "./data/pg";
  if (!dataDir.startsWith("memory://")) mkdirSync(dataDir, { recursive: true });
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
    import("drizzle-orm/pglite/migrator"),
  ]);
  const client = new PGlite(dataDir);
  const db = drizzlePglite(client, { schema, casing: "snake_case" });
  return {
    db: db as unknown as Db,
    kind: "pglite",
    migrate: () => migratePglite(db, { migrationsFolder }),
    ping: async () => {
      if (client.closed) throw new Error("database is closed");
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
