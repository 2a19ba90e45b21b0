import { accounts, memberships, users } from "@cac/db";
import { createTestDb, type TestDbHandle } from "@cac/db/testing";
import pino from "pino";
import type { Ports } from "../src/ports";
import { TestClock, uniqueEmail } from "../src/testing";

/**
 * For a suite's beforeAll/afterAll: migrating a fresh PGlite takes a few seconds when idle, far
 * more on a loaded 2-core machine.
 */
export const HARNESS_TIMEOUT_MS = 180_000;

/**
 * What a service suite runs on: a fresh, migrated database of its own (PGlite in process, or a new
 * database on the Postgres named by TEST_DATABASE_URL), a clock the test moves, and a silent log.
 * No HTTP server: the suite calls the services directly.
 */
export type ServiceHarness = {
  db: TestDbHandle;
  clock: TestClock;
  ports: Pick<Ports, "db" | "clock" | "log">;
  close(): Promise<void>;
};

export async function startServiceHarness(): Promise<ServiceHarness> {
  const db = await createTestDb();
  const clock = new TestClock();
  const log = pino({ level: "silent" });
  return { db, clock, ports: { db: db.db, clock, log }, close: () => db.close() };
}

/** A verified owner's account, written straight to the database (no signup, no email). */
export async function insertAccount(
  h: ServiceHarness,
  overrides: { email?: string; name?: string } = {},
): Promise<{ accountId: string; userId: string; email: string }> {
  const [account] = await h.db.db
    .insert(accounts)
    .values({ companyName: "Acme Plumbing", websiteUrl: "acme-plumbing.com", phone: "+12025550143" })
    .returning({ id: accounts.id });
  const email = overrides.email ?? uniqueEmail("owner");
  const [user] = await h.db.db
    .insert(users)
    .values({
      email,
      name: overrides.name ?? "Dana Owner",
      // Never checked here: these suites do not log in.
      passwordHash: "not-a-password-hash",
      ageConfirmedAt: h.clock.now(),
      emailVerifiedAt: h.clock.now(),
    })
    .returning({ id: users.id });
  await h.db.db.insert(memberships).values({ accountId: account!.id, userId: user!.id, role: "owner" });
  return { accountId: account!.id, userId: user!.id, email };
}
