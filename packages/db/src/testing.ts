import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { createDb, type Db, type DbHandle, migrationsFolder } from "./client";
import { type MemberRole, memberships, users } from "./schema";

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

type MemberFields = {
  accountId: string;
  email: string;
  name?: string;
  passwordHash?: string;
  role?: MemberRole;
  emailVerifiedAt?: Date | null;
  ageConfirmedAt?: Date;
  available?: boolean;
  seenAt?: Date | null;
};

/**
 * Tests' shortcut for a person of an account: a `users` row and its membership, in one call (what
 * signup or an accepted invitation makes). Returns the user's id.
 */
export async function insertMember(db: Db, fields: MemberFields): Promise<string> {
  const [user] = await db
    .insert(users)
    .values({
      email: fields.email,
      name: fields.name ?? "Agent",
      passwordHash: fields.passwordHash ?? "not-a-password-hash",
      emailVerifiedAt: fields.emailVerifiedAt === undefined ? new Date() : fields.emailVerifiedAt,
      ageConfirmedAt: fields.ageConfirmedAt ?? new Date(),
    })
    .returning({ id: users.id });
  if (!user) throw new Error("insertMember: no user row");
  await db.insert(memberships).values({
    accountId: fields.accountId,
    userId: user.id,
    role: fields.role ?? "agent",
    available: fields.available ?? false,
    seenAt: fields.seenAt ?? null,
  });
  return user.id;
}

/** The person with this email as a member of their (first) account: user id, account id, role, presence. */
export async function memberByEmail(db: Db, email: string) {
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      accountId: memberships.accountId,
      role: memberships.role,
      available: memberships.available,
      seenAt: memberships.seenAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .orderBy(asc(memberships.createdAt))
    .limit(1);
  if (!row) throw new Error(`memberByEmail: no member ${email}`);
  return row;
}

/** Marks members available and heard from `seenAt` (what the phone panel's switch and heartbeat do). */
export async function setMembersPresent(
  db: Db,
  where: { accountId?: string; userId?: string },
  seenAt: Date,
  available = true,
): Promise<void> {
  const conditions = [
    where.accountId ? eq(memberships.accountId, where.accountId) : undefined,
    where.userId ? eq(memberships.userId, where.userId) : undefined,
  ].filter((c) => c !== undefined);
  if (conditions.length === 0) throw new Error("setMembersPresent: say whom");
  await db
    .update(memberships)
    .set({ available, seenAt })
    .where(and(...conditions));
}
