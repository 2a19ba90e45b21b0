import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle } from "../src/client";
import { accounts, users } from "../src/index";
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
    await handle.db.insert(users).values({
      accountId: account!.id,
      email: "a@acme.test",
      name: "A",
      passwordHash: "x",
      ageConfirmedAt: new Date(),
    });
    const rows = await handle.db.select().from(users).where(eq(users.accountId, account!.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.role).toBe("owner");
  });

  it("refuses a second user with the same email in another case", async () => {
    const [account] = await handle.db
      .insert(accounts)
      .values({ companyName: "B", websiteUrl: "https://b.test", phone: "+12025550124" })
      .returning();
    const row = {
      accountId: account!.id,
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
