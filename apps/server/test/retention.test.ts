import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteClosedAccounts, type Storage } from "@cac/core";
import {
  accounts,
  authSessions,
  billingRecords,
  buttonRouting,
  buttonRoutingMembers,
  buttons,
  callbackRequests,
  callRingSteps,
  callSessions,
  contactMessages,
  memberships,
  securityEvents,
  subscriptions,
  users,
} from "@cac/db";
import { createTestDb, insertMember, memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRetentionJobs } from "../src/jobs/runner";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  signupVerified,
  startHarness,
  unique,
  uniqueEmail,
  uniqueIp,
} from "./harness";

const DAY = 24 * 60 * 60 * 1000;

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
    return (await memberByEmail(h.db.db, email)).accountId;
  }

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
      const calls = await h.db.db
        .insert(callSessions)
        .values(
          Array.from({ length: 3 }, (_, i) => ({
            accountId,
            buttonId: button.id,
            transport: "webrtc" as const,
            status: "completed" as const,
            visitorIp,
            startedAt: ago(i * 60_000),
          })),
        )
        .returning({ id: callSessions.id });
      // The button's routing, and who each call rang (the calls' ring steps).
      const [me] = await h.db.db.select({ id: users.id }).from(users).where(eq(users.email, owner.email));
      await owner.client.trpc.buttons.setRouting.mutate({
        id: button.id,
        who: "chosen",
        strategy: "in-order",
        stepSeconds: 20,
        members: [{ userId: me!.id, ringSeconds: null }],
      });
      await h.db.db.insert(callRingSteps).values(
        calls.map((call) => ({
          callId: call.id,
          step: 0,
          userId: me!.id,
          startedAt: ago(0),
          outcome: "answered" as const,
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

    it("deletes the people who belonged only to the closed account; a member of another account keeps their login there", async () => {
      const c = await customer();
      const other = await customer();
      // One person in both accounts (as an accepted invitation makes them), one in the closed one only.
      const both = uniqueEmail("both");
      const bothId = await insertMember(h.db.db, { accountId: c.accountId, email: both, role: "agent" });
      await h.db.db.insert(memberships).values({ accountId: other.accountId, userId: bothId, role: "admin" });
      const only = uniqueEmail("only");
      const onlyId = await insertMember(h.db.db, { accountId: c.accountId, email: only, role: "agent" });
      await close(c);
      h.clock.advance(30 * DAY + 1000);
      const result = await deleteClosedAccounts(deps());
      // The owner and the agent of the closed account only.
      expect(result.counts).toMatchObject({ accountsDeleted: 1, usersDeleted: 2 });
      const db = h.db.db;
      expect(await db.select().from(users).where(eq(users.id, onlyId))).toEqual([]);
      expect(await db.select().from(users).where(eq(users.id, bothId))).toHaveLength(1);
      const left = await db.select().from(memberships).where(eq(memberships.userId, bothId));
      expect(left.map((m) => [m.accountId, m.role])).toEqual([[other.accountId, "admin"]]);
      expect(await db.select().from(accounts).where(eq(accounts.id, other.accountId))).toHaveLength(1);
    });

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
      expect(await db.select().from(callRingSteps).where(eq(callRingSteps.userId, userRow!.id))).toEqual([]);
      expect(await db.select().from(buttonRouting).where(eq(buttonRouting.accountId, c.accountId))).toEqual(
        [],
      );
      expect(
        await db.select().from(buttonRoutingMembers).where(eq(buttonRoutingMembers.accountId, c.accountId)),
      ).toEqual([]);
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
