// Runs a data migration on a database holding rows of the schema before it: the committed
// migrations up to a given one, on a fresh database of either backend.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll } from "vitest";
import { migrationsFolder } from "../src/client";
import * as schema from "../src/schema/index";
import { createTestDatabase } from "../src/testing";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The committed migrations up to (not including) the one tagged `before`. */
export function migrationsBefore(before: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cac-migrations-"));
  dirs.push(dir);
  cpSync(migrationsFolder, dir, { recursive: true });
  const journalFile = join(dir, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: Array<{ tag: string }> };
  const index = journal.entries.findIndex((entry) => entry.tag.startsWith(before));
  if (index < 0) throw new Error(`no migration ${before}`);
  journal.entries = journal.entries.slice(0, index);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/** A fresh database of the backend: how to migrate it with a folder, run SQL, and close it. */
export async function freshDatabase(backend: "postgres" | "pglite") {
  if (backend === "pglite") {
    const db = drizzlePglite(new PGlite(), { schema, casing: "snake_case" });
    return {
      migrate: (folder: string) => migratePglite(db, { migrationsFolder: folder }),
      rows: async <T>(query: SQL) => (await db.execute(query)).rows as T[],
      close: () => db.$client.close(),
    };
  }
  const database = await createTestDatabase(process.env.TEST_DATABASE_URL ?? "");
  const client = postgres(database.url, { max: 1, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema, casing: "snake_case" });
  return {
    migrate: (folder: string) => migratePostgres(db, { migrationsFolder: folder }),
    rows: async <T>(query: SQL) => [...(await db.execute(query))] as T[],
    close: async () => {
      await client.end();
      await database.drop();
    },
  };
}
