import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { createDb, type DbHandle, migrationsFolder } from "./client";

/** A test database; `url` names a Postgres one, so a second pool (another "instance") can open it. */
export type TestDbHandle = DbHandle & { url: string | undefined };

/**
 * A fresh, migrated database for one test suite: a new database on the server named by
 * TEST_DATABASE_URL when it is set, otherwise an in-memory PGlite. `close()` drops it.
 */
export async function createTestDb(options: { backend?: "postgres" | "pglite" } = {}): Promise<TestDbHandle> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const backend = options.backend ?? (serverUrl ? "postgres" : "pglite");
  if (backend === "pglite") {
    const handle = await createDb({ dataDir: "memory://" });
    await handle.migrate();
    return { ...handle, url: undefined };
  }
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const database = await createTestDatabase(serverUrl);
  const handle = await createDb({ url: database.url, maxConnections: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: database.url,
    close: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

/**
 * A new, empty database on the Postgres server at `serverUrl`, for a process of its own (a test
 * that starts the built server): its URL, and `drop()`, which also ends the connections left to it.
 */
export async function createTestDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cac_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The backends a suite can run on here: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const availableBackends: Array<"postgres" | "pglite"> = process.env.TEST_DATABASE_URL
  ? ["pglite", "postgres"]
  : ["pglite"];

/** How many migrations the repository holds (drizzle-kit's journal), each applied once per database. */
export function migrationCount(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8"));
  return (journal as { entries: unknown[] }).entries.length;
}
