/**
 * The IP retention service (purgeExpiredIps) on a database of its own: what it deletes and
 * clears after 12 months, what a flag keeps, and that its batches, each under the job's lock, let
 * two runners share the work. The server schedules it (apps/server/src/jobs/runner.ts).
 */
import { ipKey } from "@cac/core/domain";
import {
  abuseFlags,
  authSessions,
  callbackRequests,
  callSessions,
  contactMessages,
  securityEvents,
  users,
} from "@cac/db";
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredIps } from "../src/services/retention/ip-purge";
import { unique, uniqueIp } from "../src/testing";
import { HARNESS_TIMEOUT_MS, insertAccount, type ServiceHarness, startServiceHarness } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const MONTHS_13 = 396 * DAY;
const MONTHS_11 = 330 * DAY;

describe("12-month IP retention", () => {
  let h: ServiceHarness;
  beforeAll(async () => {
    h = await startServiceHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const ago = (ms: number) => new Date(h.clock.now().getTime() - ms);
  const deps = () => h.ports;

  it("deletes old security events and clears old IPs, except flagged IPs and anything younger than 12 months", async () => {
    // Clear anything earlier tests of this file left behind, so the counts below are exact.
    await purgeExpiredIps(deps());
    const { email, accountId } = await insertAccount(h);
    const other = (await insertAccount(h)).accountId;
    const flaggedGlobal = uniqueIp();
    const flaggedHere = uniqueIp();
    const flaggedElsewhere = uniqueIp();
    const expiredFlag = uniqueIp();
    const clearedFlag = uniqueIp();
    const plain = uniqueIp();
    // Flags are kept by ipKey (an IPv6 address's /64), as the product writes them.
    await h.db.db.insert(abuseFlags).values([
      { ip: ipKey(flaggedGlobal), reason: "call flood", source: "auto" },
      { ip: ipKey(flaggedHere), reason: "prank calls", source: "customer", accountId },
      { ip: ipKey(flaggedElsewhere), reason: "prank calls", source: "customer", accountId: other },
      { ip: ipKey(expiredFlag), reason: "old", source: "operator", expiresAt: ago(DAY) },
      { ip: ipKey(clearedFlag), reason: "mistake", source: "operator", clearedAt: ago(DAY) },
      // Flags that ended over 12 months ago: their IPs go with them.
      { ip: uniqueIp(), reason: "old", source: "auto", expiresAt: ago(MONTHS_13) },
      { ip: uniqueIp(), reason: "old", source: "operator", clearedAt: ago(MONTHS_13) },
    ]);
    const events = await h.db.db
      .insert(securityEvents)
      .values([
        { ip: plain, kind: "call_refused_blocked_ip", accountId, createdAt: ago(MONTHS_13) },
        { ip: null, kind: "login_failed", createdAt: ago(MONTHS_13) },
        { ip: expiredFlag, kind: "call_refused_blocked_ip", createdAt: ago(MONTHS_13) },
        { ip: clearedFlag, kind: "call_refused_blocked_ip", createdAt: ago(MONTHS_13) },
        { ip: flaggedGlobal, kind: "call_refused_blocked_ip", createdAt: ago(MONTHS_13) },
        { ip: flaggedHere, kind: "call_refused_blocked_ip", accountId, createdAt: ago(MONTHS_13) },
        { ip: plain, kind: "call_refused_blocked_ip", accountId, createdAt: ago(MONTHS_11) },
      ])
      .returning();
    const call = (ip: string, startedAt: Date) => ({
      accountId,
      transport: "webrtc" as const,
      status: "completed" as const,
      visitorIp: ip,
      startedAt,
    });
    const calls = await h.db.db
      .insert(callSessions)
      .values([
        call(plain, ago(MONTHS_13)),
        call(flaggedGlobal, ago(MONTHS_13)),
        call(flaggedHere, ago(MONTHS_13)),
        // Another account's block does not keep this account's IPs.
        call(flaggedElsewhere, ago(MONTHS_13)),
        call(plain, ago(MONTHS_11)),
      ])
      .returning();
    const callbacks = await h.db.db
      .insert(callbackRequests)
      .values([
        { accountId, name: "Old", phone: "+12025550111", ip: plain, createdAt: ago(MONTHS_13) },
        { accountId, name: "Flagged", phone: "+12025550111", ip: flaggedHere, createdAt: ago(MONTHS_13) },
        { accountId, name: "New", phone: "+12025550111", ip: plain, createdAt: ago(MONTHS_11) },
      ])
      .returning();
    const contacts = await h.db.db
      .insert(contactMessages)
      .values([
        { name: "Old", email: "old@example.test", message: "Hi", ip: plain, createdAt: ago(MONTHS_13) },
        {
          name: "Flagged",
          email: "f@example.test",
          message: "Hi",
          ip: flaggedGlobal,
          createdAt: ago(MONTHS_13),
        },
        // A customer's block is about calls to that customer, not about the contact form.
        {
          name: "Cust",
          email: "c@example.test",
          message: "Hi",
          ip: flaggedHere,
          createdAt: ago(MONTHS_13),
        },
        { name: "New", email: "new@example.test", message: "Hi", ip: plain, createdAt: ago(MONTHS_11) },
      ])
      .returning();
    const [userRow] = await h.db.db.select().from(users).where(eq(users.email, email));
    const sessions = await h.db.db
      .insert(authSessions)
      .values([
        // Logged in 13 months ago and used daily since: its IP is past retention, and the
        // session is past its 30-day absolute lifetime.
        {
          id: unique("s"),
          userId: userRow!.id,
          activeAccountId: accountId,
          secretHash: "x",
          ip: plain,
          createdAt: ago(MONTHS_13),
          lastVerifiedAt: ago(DAY),
        },
        // Unused for longer than the inactivity timeout: it can never be used again.
        {
          id: unique("s"),
          userId: userRow!.id,
          activeAccountId: accountId,
          secretHash: "x",
          ip: plain,
          createdAt: ago(30 * DAY),
          lastVerifiedAt: ago(20 * DAY),
        },
        // Used yesterday, logged in 29 days ago: alive, IP kept.
        {
          id: unique("s"),
          userId: userRow!.id,
          activeAccountId: accountId,
          secretHash: "x",
          ip: plain,
          createdAt: ago(29 * DAY),
          lastVerifiedAt: ago(DAY),
        },
        // Used yesterday, but logged in 31 days ago: past the absolute lifetime.
        {
          id: unique("s"),
          userId: userRow!.id,
          activeAccountId: accountId,
          secretHash: "x",
          ip: plain,
          createdAt: ago(31 * DAY),
          lastVerifiedAt: ago(DAY),
        },
      ])
      .returning();

    const result = await purgeExpiredIps(deps());
    expect(result).toEqual({
      outcome: "done",
      counts: {
        securityEventsDeleted: 4,
        endedFlagsDeleted: 2,
        callIpsCleared: 2,
        callbackIpsCleared: 1,
        contactIpsCleared: 2,
        sessionIpsCleared: 1,
        expiredSessionsDeleted: 3,
      },
    });

    const eventIps = (
      await h.db.db
        .select()
        .from(securityEvents)
        .where(
          inArray(
            securityEvents.id,
            events.map((e) => e.id),
          ),
        )
    ).map((e) => [e.ip, e.createdAt.getTime()]);
    expect(eventIps).toHaveLength(3);
    expect(eventIps).toEqual(
      expect.arrayContaining([
        [flaggedGlobal, ago(MONTHS_13).getTime()],
        [flaggedHere, ago(MONTHS_13).getTime()],
        [plain, ago(MONTHS_11).getTime()],
      ]),
    );
    const ipOf = async <T extends { id: string }>(rows: T[], read: (ids: string[]) => Promise<Array<T>>) =>
      new Map((await read(rows.map((r) => r.id))).map((r) => [r.id, r]));
    const callsAfter = await ipOf(calls, (ids) =>
      h.db.db.select().from(callSessions).where(inArray(callSessions.id, ids)),
    );
    expect(calls.map((c) => callsAfter.get(c.id)?.visitorIp)).toEqual([
      null,
      flaggedGlobal,
      flaggedHere,
      null,
      plain,
    ]);
    // The calls themselves stay (call history is kept for the life of the account).
    expect(callsAfter.size).toBe(5);
    const callbacksAfter = await ipOf(callbacks, (ids) =>
      h.db.db.select().from(callbackRequests).where(inArray(callbackRequests.id, ids)),
    );
    expect(callbacks.map((c) => callbacksAfter.get(c.id)?.ip)).toEqual([null, flaggedHere, plain]);
    const contactsAfter = await ipOf(contacts, (ids) =>
      h.db.db.select().from(contactMessages).where(inArray(contactMessages.id, ids)),
    );
    expect(contacts.map((c) => contactsAfter.get(c.id)?.ip)).toEqual([null, flaggedGlobal, null, plain]);
    const sessionsAfter = await h.db.db
      .select()
      .from(authSessions)
      .where(
        inArray(
          authSessions.id,
          sessions.map((s) => s.id),
        ),
      );
    expect(sessionsAfter.map((s) => [s.id, s.ip])).toEqual([[sessions[2]!.id, plain]]);

    // Flags still active, or ended within 12 months, stay.
    const flagsLeft = await h.db.db
      .select({ ip: abuseFlags.ip })
      .from(abuseFlags)
      .where(
        inArray(
          abuseFlags.ip,
          [flaggedGlobal, flaggedHere, flaggedElsewhere, expiredFlag, clearedFlag].map(ipKey),
        ),
      );
    expect(flagsLeft).toHaveLength(5);

    // A second run finds nothing left to do.
    const again = await purgeExpiredIps(deps());
    expect(again.outcome).toBe("done");
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);

    // Once the flag expires, the next run drops that IP too.
    await h.db.db
      .update(abuseFlags)
      .set({ clearedAt: h.clock.now() })
      .where(eq(abuseFlags.ip, ipKey(flaggedGlobal)));
    const later = await purgeExpiredIps(deps());
    expect(later.counts.securityEventsDeleted).toBe(1);
    expect(later.counts.callIpsCleared).toBe(1);
    expect(later.counts.contactIpsCleared).toBe(1);
  });

  it("works through more rows than one batch, and two runners at once do the work once", async () => {
    await purgeExpiredIps(deps());
    const rows = Array.from({ length: 25 }, (_, i) => ({
      ip: uniqueIp(),
      kind: "call_refused_blocked_ip",
      createdAt: ago(MONTHS_13 + i * 1000),
    }));
    await h.db.db.insert(securityEvents).values(rows);
    const [a, b] = await Promise.all([
      purgeExpiredIps(deps(), { batchSize: 4 }),
      purgeExpiredIps(deps(), { batchSize: 4 }),
    ]);
    expect(a.counts.securityEventsDeleted + b.counts.securityEventsDeleted).toBe(25);
    const left = await h.db.db
      .select()
      .from(securityEvents)
      .where(
        inArray(
          securityEvents.ip,
          rows.map((r) => r.ip),
        ),
      );
    expect(left).toEqual([]);
  });
});
