import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../src/client";
import { accounts, memberships, users } from "../src/index";
import { availableBackends, createTestDatabase, createTestDb, migrationCount } from "../src/testing";

describe.each(availableBackends)("createDb on %s", (backend) => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb({ backend });
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("reports its backend and answers a ping", async () => {
    expect(handle.kind).toBe(backend);
    await expect(handle.ping()).resolves.toBeUndefined();
  });

  it("runs the migrations: rows round-trip with snake_case columns and defaults", async () => {
    const [account] = await handle.db
      .insert(accounts)
      .values({ companyName: "Acme", websiteUrl: "https://acme.test", phone: "+12025550123" })
      .returning();
    expect(account?.plan).toBe("free");
    expect(account?.status).toBe("active");
    const [user] = await handle.db
      .insert(users)
      .values({ email: "a@acme.test", name: "A", passwordHash: "x", ageConfirmedAt: new Date() })
      .returning();
    await handle.db.insert(memberships).values({ accountId: account!.id, userId: user!.id, role: "owner" });
    const rows = await handle.db
      .select({ email: users.email, role: memberships.role, available: memberships.available })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.accountId, account!.id));
    expect(rows).toEqual([{ email: "a@acme.test", role: "owner", available: false }]);
  });

  it("refuses a second user with the same email in another case", async () => {
    const row = {
      name: "B",
      passwordHash: "x",
      ageConfirmedAt: new Date(),
    };
    await handle.db.insert(users).values({ ...row, email: "dup@b.test" });
    await expect(handle.db.insert(users).values({ ...row, email: "DUP@b.test" })).rejects.toThrow();
  });

  it("migrates once: a second run applies nothing", async () => {
    expect(await handle.migrate()).toEqual({ applied: 0 });
  });

  it("fails its ping once closed", async () => {
    const other = await createTestDb({ backend });
    await other.close();
    await expect(other.ping()).rejects.toThrow();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)(
  "five pools migrating one empty Postgres database at once",
  () => {
    it("all succeed, and one of them applies every migration (the advisory lock)", async () => {
      const database = await createTestDatabase(process.env.TEST_DATABASE_URL!);
      const handles = await Promise.all(
        Array.from({ length: 5 }, () => createDb({ url: database.url, maxConnections: 2 })),
      );
      try {
        const results = await Promise.all(handles.map((handle) => handle.migrate()));
        const count = migrationCount();
        expect(results.map((r) => r.applied).sort((a, b) => a - b)).toEqual([0, 0, 0, 0, count]);
        const [recorded] = (await handles[0]!.db.execute(
          sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
        )) as unknown as Array<{ n: number }>;
        expect(recorded?.n).toBe(count);
      } finally {
        await Promise.all(handles.map((handle) => handle.close()));
        await database.drop();
      }
    });
  },
);

describe("the embedded database on disk", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "cac-embedded-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const settings = async (handle: DbHandle) => {
    const result = await handle.db.execute(
      sql`select name, setting, unit from pg_settings where name in ('shared_buffers', 'synchronous_commit', 'full_page_writes') order by name`,
    );
    return (result as unknown as { rows: unknown[] }).rows;
  };

  it("is created in a new directory, then opened again with its data, with a small page cache and durability unchanged", async () => {
    const dataDir = join(dir, "pg");
    const first = await createDb({ dataDir });
    try {
      expect(first.kind).toBe("pglite");
      expect((await first.migrate()).applied).toBe(migrationCount());
      await first.db
        .insert(accounts)
        .values({ companyName: "Kept", websiteUrl: "https://kept.test", phone: "+12025550125" });
    } finally {
      await first.close();
    }
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);

    const again = await createDb({ dataDir });
    try {
      expect(await again.migrate()).toEqual({ applied: 0 });
      const kept = await again.db.select().from(accounts).where(eq(accounts.companyName, "Kept"));
      expect(kept).toHaveLength(1);
      // 16 MB of 8 kB pages; PGlite's own default is 128 MB, which it keeps in memory.
      expect(await settings(again)).toEqual([
        { name: "full_page_writes", setting: "on", unit: null },
        { name: "shared_buffers", setting: String((16 * 1024) / 8), unit: "8kB" },
        { name: "synchronous_commit", setting: "on", unit: null },
      ]);
    } finally {
      await again.close();
    }
  });
});
