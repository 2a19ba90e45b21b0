/**
 * Migration 0011 moves people's accounts, roles and availability from `users` to `memberships`,
 * and gives every existing session its user's account as its active one: nobody is logged out,
 * nobody loses a role.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, expect, it } from "vitest";
import { migrationsFolder } from "../src/client";
import * as schema from "../src/schema/index";
import { availableBackends, createTestDatabase } from "../src/testing";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The committed migrations up to (not including) the one tagged `before`. */
function migrationsBefore(before: string): string {
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
async function freshDatabase(backend: "postgres" | "pglite") {
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

it.each(availableBackends)(
  "0011 makes every user a member of their account, and keeps every session (%s)",
  async (backend) => {
    const db = await freshDatabase(backend);
    await db.migrate(migrationsBefore("0011_"));
    const [account] = await db.rows<{ id: string }>(
      sql`insert into accounts (company_name, website_url, phone) values ('Acme', 'https://a.test', '+12025550123') returning id`,
    );
    const person = async (email: string, role: string, available: boolean, seen: string | null) => {
      const [row] = await db.rows<{ id: string }>(
        sql`insert into users (account_id, email, name, password_hash, role, age_confirmed_at, agent_available, agent_seen_at)
        values (${account!.id}, ${email}, 'P', 'x', ${role}, now(), ${available}, ${seen}::timestamptz) returning id`,
      );
      return row!.id;
    };
    const owner = await person("owner@a.test", "owner", false, null);
    const agent = await person("agent@a.test", "agent", true, "2026-03-01T12:00:00Z");
    await db.rows(sql`insert into auth_sessions (id, user_id, secret_hash, created_at, last_verified_at)
    values ('s-owner', ${owner}, 'h', now(), now()), ('s-agent', ${agent}, 'h', now(), now())`);

    await db.migrate(migrationsFolder);

    const members = await db.rows<{
      user_id: string;
      account_id: string;
      role: string;
      available: boolean;
      seen_at: unknown;
    }>(sql`select user_id, account_id, role, available, seen_at from memberships order by role desc`);
    expect(
      members.map((m) => [
        m.user_id,
        m.account_id,
        m.role,
        m.available,
        m.seen_at === null ? null : new Date(String(m.seen_at)).toISOString(),
      ]),
    ).toEqual([
      [owner, account!.id, "owner", false, null],
      [agent, account!.id, "agent", true, "2026-03-01T12:00:00.000Z"],
    ]);
    const sessions = await db.rows<{ id: string; active_account_id: string }>(
      sql`select id, active_account_id from auth_sessions order by id`,
    );
    expect(sessions).toEqual([
      { id: "s-agent", active_account_id: account!.id },
      { id: "s-owner", active_account_id: account!.id },
    ]);
    await db.close();
  },
);
