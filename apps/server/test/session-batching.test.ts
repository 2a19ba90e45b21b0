import {
  ACTIVITY_CHECK_INTERVAL_MS,
  createSession,
  INACTIVITY_TIMEOUT_MS,
  validateSessionToken,
} from "@cac/core";
import { accounts, authSessions, type DbHandle, memberships, users } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClock, unique } from "./harness";
import { countStatements } from "./statement-counter";

describe("sessions checked together", () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await createTestDb();
  });
  afterAll(() => handle?.close());

  it("a burst of checks is one lookup, each answered for its own session, with every check kept", async () => {
    const clock = new TestClock();
    const [account] = await handle.db
      .insert(accounts)
      .values({ companyName: "Shop", websiteUrl: "shop.test", phone: "+12025550101" })
      .returning({ id: accounts.id });
    const people = await handle.db
      .insert(users)
      .values(
        Array.from({ length: 40 }, (_, i) => ({
          email: `${unique("agent")}@shop.test`,
          name: `Agent ${i}`,
          passwordHash: "x",
          ageConfirmedAt: new Date(),
        })),
      )
      .returning({ id: users.id });
    await handle.db
      .insert(memberships)
      .values(people.map((p) => ({ accountId: account?.id ?? "", userId: p.id, role: "agent" as const })));
    const tokens = [];
    for (const person of people)
      tokens.push((await createSession({ db: handle.db, clock }, person.id, {})).token);
    // One session idle past the timeout, one a wrong secret, one never issued.
    const [idle] = tokens;
    const forged = `${(tokens[1] ?? "").split(".")[0]}.not-the-secret`;
    const unknown = "nosuchsession.secret";
    clock.advance(ACTIVITY_CHECK_INTERVAL_MS + 1000);
    await handle.db
      .update(authSessions)
      .set({ lastVerifiedAt: new Date(clock.now().getTime() - INACTIVITY_TIMEOUT_MS) })
      .where(eq(authSessions.id, (idle ?? "").split(".")[0] ?? ""));

    const { counts, stop } = countStatements(handle);
    const checked = await Promise.all(
      [...tokens, forged, unknown].map((token) => validateSessionToken({ db: handle.db, clock }, token)),
    );
    stop();
    // One lookup for all of them; one renewal statement for the sessions last used over an hour ago.
    expect(counts.select).toBe(1);
    expect(counts.update).toBe(1);
    expect(checked[0]).toBeNull();
    expect(checked.slice(1, tokens.length).map((auth) => auth?.user.id)).toEqual(
      people.slice(1).map((p) => p.id),
    );
    expect(checked.slice(1, tokens.length).every((auth) => auth?.renewed)).toBe(true);
    expect(checked.slice(tokens.length)).toEqual([null, null]);
    // Each renewed session was marked used now; the idle one is gone.
    const rows = await handle.db.select().from(authSessions);
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.has((idle ?? "").split(".")[0] ?? "")).toBe(false);
    for (const token of tokens.slice(1)) {
      expect(byId.get(token.split(".")[0] ?? "")?.lastVerifiedAt).toEqual(clock.now());
    }
  });
});
