import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteClosedAccounts, purgeExpiredIps, type Storage } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import {
  abuseFlags,
  accounts,
  authSessions,
  billingRecords,
  buttons,
  callbackRequests,
  callSessions,
  contactMessages,
  securityEvents,
  subscriptions,
  users,
} from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq, inArray } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRetentionJobs } from "../src/jobs/runner";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { HARNESS_TIMEOUT_MS, type Harness, signupVerified, startHarness, unique, uniqueIp } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const MONTHS_13 = 396 * DAY;
const MONTHS_11 = 330 * DAY;

describe("the server runs the retention jobs", () => {
  it(
    "once it is ready (then every JOBS_INTERVAL_SECONDS), unless built with jobs: false",
    async () => {
      const db = await createTestDb();
      // Older than 12 months on the harness's clock (2026-03-01).
      const [old] = await db.db
        .insert(securityEvents)
        .values({
          ip: uniqueIp(),
          kind: "call_refused_blocked_ip",
          createdAt: new Date("2024-12-01T00:00:00Z"),
        })
        .returning();
      const stillThere = async () =>
        (await db.db.select().from(securityEvents).where(eq(securityEvents.id, old!.id))).length === 1;

      const off = await startHarness({ db: { ...db, close: async () => {} }, build: { jobs: false } });
      await off.close();
      expect(await stillThere()).toBe(true);

      const on = await startHarness({ db });
      try {
        await expect.poll(stillThere, { timeout: 60_000, interval: 250 }).toBe(false);
      } finally {
        await on.close();
      }
    },
    HARNESS_TIMEOUT_MS,
  );
});

describe("retention jobs", () => {
  let h: Harness;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "cac-retention-"));
    // No background runs: every job here is started by the test, on the test's clock.
    h = await startHarness({
      build: { jobs: false },
      env: { DATA_DIR: dataDir },
      limits: {
        "login.email": { points: 1000, durationSeconds: 60 },
        "signup.ip": { points: 1000, durationSeconds: 60 },
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const ago = (ms: number) => new Date(h.clock.now().getTime() - ms);
  const deps = () => h.ports;

  async function accountOf(email: string) {
    const [user] = await h.db.db.select().from(users).where(eq(users.email, email));
    return user!.accountId;
  }

  describe("12-month IP retention", () => {
    it("deletes old security events and clears old IPs, except flagged IPs and anything younger than 12 months", async () => {
      // Clear anything earlier suites of this file left behind, so the counts below are exact.
      await purgeExpiredIps(deps());
      const { email } = await signupVerified(h);
      const accountId = await accountOf(email);
      const other = await accountOf((await signupVerified(h)).email);
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
            secretHash: "x",
            ip: plain,
            createdAt: ago(MONTHS_13),
            lastVerifiedAt: ago(DAY),
          },
          // Unused for longer than the inactivity timeout: it can never be used again.
          {
            id: unique("s"),
            userId: userRow!.id,
            secretHash: "x",
            ip: plain,
            createdAt: ago(30 * DAY),
            lastVerifiedAt: ago(20 * DAY),
          },
          // Used yesterday, logged in 29 days ago: alive, IP kept.
          {
            id: unique("s"),
            userId: userRow!.id,
            secretHash: "x",
            ip: plain,
            createdAt: ago(29 * DAY),
            lastVerifiedAt: ago(DAY),
          },
          // Used yesterday, but logged in 31 days ago: past the absolute lifetime.
          {
            id: unique("s"),
            userId: userRow!.id,
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

  describe("deleting closed accounts", () => {
    let png: Buffer;
    beforeAll(async () => {
      png = await sharp({ create: { width: 48, height: 48, channels: 4, background: "#b91c1c" } })
        .png()
        .toBuffer();
    });

    /** An owner with a button and logo, a call, a callback request, a contact message and a paid invoice. */
    async function customer(options: { logo?: Buffer } = {}) {
      const owner = await signupVerified(h, {
        name: `Owner ${unique()}`,
        companyName: `Company ${unique()}`,
      });
      const accountId = await accountOf(owner.email);
      const button = await owner.client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(options.logo ?? png)], { type: "image/png" }), "logo.png");
      const uploaded = (await (
        await owner.client.fetch(`${h.url}/uploads/logo?button=${button.id}`, { method: "POST", body: form })
      ).json()) as { key: string };
      const visitorIp = uniqueIp();
      await h.client({ origin: "https://shop.test", ip: visitorIp }).trpc.widget.requestCallback.mutate({
        button: button.publicId,
        name: `Visitor ${unique()}`,
        phone: "(202) 555-0111",
      });
      await h.db.db.insert(callSessions).values(
        Array.from({ length: 3 }, (_, i) => ({
          accountId,
          buttonId: button.id,
          transport: "webrtc" as const,
          status: "completed" as const,
          visitorIp,
          startedAt: ago(i * 60_000),
        })),
      );
      await h.db.db.insert(contactMessages).values({
        name: "Dana",
        email: owner.email.toUpperCase(),
        company: "Acme",
        message: "How do I add a teammate?",
        ip: visitorIp,
      });
      const invoiceId = unique("in");
      await h.db.db.insert(billingRecords).values({
        accountId,
        stripeInvoiceId: invoiceId,
        amountCents: 2900,
        status: "paid",
        description: "1 × Starter (at $29.00 / month)",
        invoiceUrl: `https://invoice.stripe.test/i/${invoiceId}`,
        occurredAt: ago(10 * DAY),
      });
      await h.db.db.insert(subscriptions).values({
        accountId,
        stripeSubscriptionId: unique("sub"),
        plan: "starter",
        status: "canceled",
      });
      return { ...owner, accountId, button, logoKey: uploaded.key, invoiceId, visitorIp };
    }

    async function close(c: Awaited<ReturnType<typeof customer>>) {
      await c.client.trpc.account.close.mutate({ password: c.password });
    }

    it("keeps a closed account for 30 days, then deletes its personal data and keeps its billing records", async () => {
      const c = await customer();
      const logoPath = join(dataDir, "uploads", c.logoKey);
      expect(existsSync(logoPath)).toBe(true);
      await close(c);
      const [userRow] = await h.db.db.select().from(users).where(eq(users.email, c.email));

      // Day 29: nothing is deleted yet.
      h.clock.advance(29 * DAY);
      const early = await deleteClosedAccounts(deps());
      expect(early.counts.accountsDeleted).toBe(0);
      expect(await h.db.db.select().from(accounts).where(eq(accounts.id, c.accountId))).toHaveLength(1);

      // Day 30 and a second: it goes.
      h.clock.advance(DAY + 1000);
      const result = await deleteClosedAccounts(deps());
      expect(result.outcome).toBe("done");
      expect(result.counts).toMatchObject({
        accountsDeleted: 1,
        usersDeleted: 1,
        callSessionsDeleted: 3,
        logosDeleted: 1,
        contactMessagesDeleted: 1,
        emailsSent: 1,
        accountsFailed: 0,
      });

      const db = h.db.db;
      expect(await db.select().from(accounts).where(eq(accounts.id, c.accountId))).toEqual([]);
      expect(await db.select().from(users).where(eq(users.email, c.email))).toEqual([]);
      expect(await db.select().from(authSessions).where(eq(authSessions.userId, userRow!.id))).toEqual([]);
      expect(await db.select().from(buttons).where(eq(buttons.id, c.button.id))).toEqual([]);
      expect(await db.select().from(callSessions).where(eq(callSessions.accountId, c.accountId))).toEqual([]);
      expect(await db.select().from(callSessions).where(eq(callSessions.visitorIp, c.visitorIp))).toEqual([]);
      expect(
        await db.select().from(callbackRequests).where(eq(callbackRequests.accountId, c.accountId)),
      ).toEqual([]);
      expect(await db.select().from(callbackRequests).where(eq(callbackRequests.ip, c.visitorIp))).toEqual(
        [],
      );
      expect(await db.select().from(contactMessages).where(eq(contactMessages.ip, c.visitorIp))).toEqual([]);
      expect(await db.select().from(subscriptions).where(eq(subscriptions.accountId, c.accountId))).toEqual(
        [],
      );
      // The logo file is gone from storage, and its URL answers 404.
      expect(existsSync(logoPath)).toBe(false);
      expect((await fetch(`${h.url}/uploads/${c.logoKey}`)).status).toBe(404);

      // The former owner was told, before their address was deleted.
      const mails = await h.outbox(c.email);
      expect(mails.at(-1)?.subject).toMatch(/account was deleted/i);
      expect(mails.at(-1)?.text).toContain(userRow!.name);

      // The billing record stays, with amounts, dates and status, and nothing that names anyone.
      const [record] = await db
        .select()
        .from(billingRecords)
        .where(eq(billingRecords.stripeInvoiceId, c.invoiceId));
      expect(record).toMatchObject({ accountId: null, amountCents: 2900, status: "paid", invoiceUrl: null });
      const text = JSON.stringify(record).toLowerCase();
      for (const personal of [c.email, userRow!.name, c.accountId, c.visitorIp]) {
        expect(text).not.toContain(personal.toLowerCase());
      }

      // The job's own events are the only trace: a second run is a no-op.
      const again = await deleteClosedAccounts(deps());
      expect(again).toEqual({
        outcome: "done",
        counts: {
          accountsDeleted: 0,
          usersDeleted: 0,
          callSessionsDeleted: 0,
          logosDeleted: 0,
          contactMessagesDeleted: 0,
          emailsSent: 0,
          accountsFailed: 0,
        },
      });
      expect(await h.outbox(c.email)).toHaveLength(mails.length);
    });

    it("keeps a logo file that another account's button also uses", async () => {
      const shared = await sharp({ create: { width: 40, height: 40, channels: 4, background: "#0f766e" } })
        .png()
        .toBuffer();
      const leaving = await customer({ logo: shared });
      const staying = await customer({ logo: shared });
      // Uploads now get a file per account; logos stored before that shared one key per image.
      expect(staying.logoKey).not.toBe(leaving.logoKey);
      await h.db.db
        .update(buttons)
        .set({ logoKey: leaving.logoKey })
        .where(eq(buttons.id, staying.button.id));
      staying.logoKey = leaving.logoKey;
      await close(leaving);
      h.clock.advance(31 * DAY);
      const result = await deleteClosedAccounts(deps());
      expect(result.counts.accountsDeleted).toBe(1);
      expect(result.counts.logosDeleted).toBe(0);
      expect(existsSync(join(dataDir, "uploads", staying.logoKey))).toBe(true);
      expect((await fetch(`${h.url}/uploads/${staying.logoKey}`)).status).toBe(200);
    });

    it("two runners at once delete each account once and send one email per owner", async () => {
      const first = await customer();
      const second = await customer();
      await close(first);
      await close(second);
      h.clock.advance(31 * DAY);
      const results = await Promise.all([deleteClosedAccounts(deps()), deleteClosedAccounts(deps())]);
      const total = (name: "accountsDeleted" | "emailsSent" | "callSessionsDeleted") =>
        results.reduce((sum, r) => sum + r.counts[name], 0);
      expect(total("accountsDeleted")).toBe(2);
      expect(total("emailsSent")).toBe(2);
      expect(total("callSessionsDeleted")).toBe(6);
      for (const c of [first, second]) {
        const deleted = (await h.outbox(c.email)).filter((m) => /account was deleted/i.test(m.subject));
        expect(deleted).toHaveLength(1);
      }
    });

    it("a run that fails midway leaves the account in place, and the next run finishes it", async () => {
      const c = await customer();
      await close(c);
      h.clock.advance(31 * DAY);
      // Storage fails (e.g. S3 unreachable) after the call history was deleted in batches of 2.
      const failing: Storage = {
        ...h.ports.storage,
        delete: async () => {
          throw new Error("storage unreachable");
        },
      };
      const crashed = await runRetentionJobs({ ...h.ports, storage: failing }, { batchSize: 2 });
      const deletion = crashed.find((r) => r.job === "account-deletion");
      expect(deletion?.outcome).toBe("failed");
      expect(deletion?.counts).toMatchObject({
        accountsDeleted: 0,
        callSessionsDeleted: 3,
        accountsFailed: 1,
      });
      expect(await h.db.db.select().from(users).where(eq(users.email, c.email))).toHaveLength(1);
      expect((await h.outbox(c.email)).some((m) => /account was deleted/i.test(m.subject))).toBe(false);

      const rerun = await runRetentionJobs(h.ports, { batchSize: 2 });
      expect(rerun.find((r) => r.job === "account-deletion")).toMatchObject({
        outcome: "done",
        counts: { accountsDeleted: 1, logosDeleted: 1, emailsSent: 1, accountsFailed: 0 },
      });
      expect(await h.db.db.select().from(accounts).where(eq(accounts.id, c.accountId))).toEqual([]);
      expect(existsSync(join(dataDir, "uploads", c.logoKey))).toBe(false);
    });
  });
});
