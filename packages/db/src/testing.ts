import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { createDb, type Db, type DbHandle, migrationsFolder } from "./client";
import { type MemberRole, memberships, users } from "./schema";

/** A test database; `url` names a Postgres one, so a second pool (another "instance") can open it. */
export type TestDbHandle = DbHandle & { url: string | undefined };

/**
 * A fresh, migrated database for one test suite: a new database on the server named by
 * TEST_DATABASE_URL when it is set, otherwise an in-memory PGlite. `close()` drops it.
 *
 * Both are copies of one migrated template (made once per set of migrations, shared by every
 * process): migrating each suite's database anew cost seconds on Postgres and tens of seconds on
 * PGlite on a loaded machine.
 */
export async function createTestDb(options: { backend?: "postgres" | "pglite" } = {}): Promise<TestDbHandle> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const backend = options.backend ?? (serverUrl ? "postgres" : "pglite");
  if (backend === "pglite") {
    const handle = await createDb({ dataDir: "memory://", loadDataDir: await pgliteSnapshot() });
    return { ...handle, url: undefined };
  }
  if (!serverUrl) throw new Error("TEST_DATABASE_URL is not set");
  const database = await createTestDatabase(serverUrl, { template: await postgresTemplate(serverUrl) });
  const handle = await createDb({ url: database.url, maxConnections: 5 });
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
 * Names the migrations' content (every file of the folder, the journal included): a changed or
 * added migration makes a new template rather than reusing a stale one.
 */
function migrationsKey(): string {
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(relative(migrationsFolder, path)).update("\0").update(readFileSync(path)).update("\0");
    }
  };
  walk(migrationsFolder);
  return hash.digest("hex").slice(0, 16);
}

let migrationsKeyCache: string | undefined;
const templateKey = () => (migrationsKeyCache ??= migrationsKey());

const postgresTemplates = new Map<string, Promise<string>>();

/**
 * The migrated template database on this server, made by the first process that needs it. An
 * advisory lock lets one process build it while the others wait; it is built under a temporary
 * name and renamed when complete, so a crashed build never leaves a half-migrated template.
 */
function postgresTemplate(serverUrl: string): Promise<string> {
  let found = postgresTemplates.get(serverUrl);
  if (!found) {
    found = buildPostgresTemplate(serverUrl);
    // A failed build is retried by the next suite rather than failing every later one.
    found.catch(() => postgresTemplates.delete(serverUrl));
    postgresTemplates.set(serverUrl, found);
  }
  return found;
}

async function buildPostgresTemplate(serverUrl: string): Promise<string> {
  const name = `cac_template_${templateKey()}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const exists = async () => (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
    if (await exists()) return name;
    await admin`select pg_advisory_lock(hashtextextended('cac:test-template', 0))`;
    try {
      if (await exists()) return name;
      const building = await createTestDatabase(serverUrl);
      try {
        const handle = await createDb({ url: building.url, maxConnections: 1 });
        try {
          await handle.migrate();
        } finally {
          await handle.close();
        }
        const buildingName = new URL(building.url).pathname.slice(1);
        await admin.unsafe(`alter database ${buildingName} rename to ${name}`);
      } catch (error) {
        await building.drop();
        throw error;
      }
      return name;
    } finally {
      await admin`select pg_advisory_unlock(hashtextextended('cac:test-template', 0))`;
    }
  } finally {
    await admin.end();
  }
}

let pgliteSnapshotCache: Promise<Blob> | undefined;

/**
 * A migrated embedded database's files, as a tarball cached in the temporary directory (keyed by
 * the migrations and the engine's version) and read once per process. A lock file lets one
 * process build it while the others wait; it is written under a temporary name and renamed.
 */
function pgliteSnapshot(): Promise<Blob> {
  if (!pgliteSnapshotCache) {
    pgliteSnapshotCache = loadOrBuildPgliteSnapshot();
    pgliteSnapshotCache.catch(() => {
      pgliteSnapshotCache = undefined;
    });
  }
  return pgliteSnapshotCache;
}

/** A lock older than this is a crashed builder's: a build takes well under it even under load. */
const SNAPSHOT_LOCK_STALE_MS = 5 * 60_000;

async function loadOrBuildPgliteSnapshot(): Promise<Blob> {
  const require = createRequire(import.meta.url);
  // The engine's package does not export its package.json; it sits above the entry's dist/.
  const manifest = join(dirname(require.resolve("@electric-sql/pglite")), "..", "package.json");
  const engine = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  const file = join(tmpdir(), `cac-pglite-${engine}-${templateKey()}.tar`);
  const lock = `${file}.lock`;
  for (;;) {
    try {
      return new Blob([readFileSync(file)]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    let fd: number;
    try {
      fd = openSync(lock, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > SNAPSHOT_LOCK_STALE_MS) unlinkSync(lock);
      } catch {
        // Released meanwhile: the next round reads the snapshot or takes the lock.
      }
      await new Promise((done) => setTimeout(done, 250));
      continue;
    }
    try {
      const snapshot = await buildPgliteSnapshot();
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, new Uint8Array(await snapshot.arrayBuffer()));
      renameSync(partial, file);
      return snapshot;
    } finally {
      closeSync(fd);
      unlinkSync(lock);
    }
  }
}

async function buildPgliteSnapshot(): Promise<Blob> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = new PGlite("memory://");
  try {
    await migrate(drizzle(client, { casing: "snake_case" }), { migrationsFolder });
    return await client.dumpDataDir("none");
  } finally {
    await client.close();
  }
}

/**
 * A new, empty database on the Postgres server at `serverUrl`, for a process of its own (a test
 * that starts the built server): its URL, and `drop()`, which also ends the connections left to it.
 * `template` copies that database instead.
 */
export async function createTestDatabase(
  serverUrl: string,
  options: { template?: string } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cac_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}${options.template ? ` template ${options.template}` : ""}`);
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
