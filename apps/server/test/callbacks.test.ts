/**
 * Callback requests under attack, as an outsider would send them: a flood from one IP with a
 * forged Origin is cut off by the per-IP limit, a blocked IP is refused, every accepted request is
 * kept but the owners get at most one email per button per window (across server instances too),
 * and the portal pages through all requests.
 */

import { CALLBACK_EMAIL_WINDOW_MS, defaultLimits, emailDueCallbacks } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import { abuseFlags, callbackEmailWindows, callbackRequests, securityEvents } from "@cac/db";
import { createTestDb, memberByEmail, type TestDbHandle } from "@cac/db/testing";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { until } from "./cluster/event-stream";
import { clusterOwner, instanceSide, queueDelivered } from "./cluster/owner";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  errorOf,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";
import { type SecondPool, secondPool } from "./second-pool";

const SHOP = "https://shop.test";

type Business = { owner: TestClient; email: string; accountId: string; buttonId: string; publicId: string };

async function openBusiness(h: Harness, name = "Main site"): Promise<Business> {
  const { client, email } = await signupVerified(h);
  const button = await client.trpc.buttons.create.mutate(
    validButton({ name, hours: alwaysOpen, closedBehavior: "callback" }),
  );
  const user = await memberByEmail(h.db.db, email);
  return { owner: client, email, accountId: user.accountId, buttonId: button.id, publicId: button.publicId };
}

function request(h: Pick<Harness, "client">, publicId: string, ip: string, n = 0) {
  // An attacker's script sets any Origin it likes: the allowed site's.
  return h.client({ origin: SHOP, ip }).trpc.widget.requestCallback.mutate({
    button: publicId,
    name: `Visitor ${n}`,
    phone: "(202) 555-0100",
    message: `Request ${n}`,
  });
}

const callbackMails = async (h: Harness, to: string) =>
  (await h.outbox(to)).filter((m) => /callback request/i.test(m.subject));

/** How many requests a callback email stands for: one, or the count its digest subject says. */
function requestsIn(mail: { subject: string }): number {
  if (/^Callback request from /.test(mail.subject)) return 1;
  const count = /^(\d+) callback requests on /.exec(mail.subject)?.[1];
  if (!count) throw new Error(`not a callback email: ${mail.subject}`);
  return Number(count);
}

/** What an instance's periodic job does: sends the emails whose button window has passed. */
const emailDue = (h: Harness) =>
  emailDueCallbacks({ ...h.ports, settings: { publicUrl: new URL(h.portalOrigin) } });

const rowsOf = (h: Harness, buttonId: string) =>
  h.db.db.select().from(callbackRequests).where(eq(callbackRequests.buttonId, buttonId));

describe("callback requests under attack", () => {
  let h: Harness;
  beforeAll(async () => {
    // No background jobs: the test sends the waiting emails itself, at the clock it moved.
    h = await startHarness({ limits: { "signup.ip": LIFTED }, build: { jobs: false } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("300 posts from one IP with a forged Origin: 5 accepted, 295 refused with 429; one email now, one digest after the window", async () => {
    const shop = await openBusiness(h);
    const ip = uniqueIp();
    let accepted = 0;
    const refused: Array<{ code: string | null | undefined; retry: number | null | undefined }> = [];
    for (let i = 0; i < 300; i++) {
      try {
        await request(h, shop.publicId, ip, i);
        accepted += 1;
      } catch (error) {
        const e = errorOf(error);
        refused.push({ code: e.data?.appCode, retry: e.data?.retryAfterSeconds });
      }
    }
    console.log(`callback flood from one IP: ${accepted} accepted, ${refused.length} refused of 300`);
    expect(accepted).toBe(defaultLimits["callback.ip"].points);
    expect(refused).toHaveLength(300 - accepted);
    expect(new Set(refused.map((r) => r.code))).toEqual(new Set(["RATE_LIMITED"]));
    expect(refused.every((r) => (r.retry ?? 0) > 0)).toBe(true);
    expect(await rowsOf(h, shop.buttonId)).toHaveLength(accepted);

    // The refusals are one security event row with their count, not 295 rows.
    const events = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
    expect(events.map((e) => [e.kind, e.count])).toEqual([["callback_refused_rate_limited", 295]]);

    // The first request was emailed at once; the other four wait for the button's window.
    const now = await callbackMails(h, shop.email);
    expect(now).toHaveLength(1);
    expect(now[0]?.subject).toBe("Callback request from Visitor 0");
    expect(await emailDue(h)).toBe(0);
    h.clock.advance(CALLBACK_EMAIL_WINDOW_MS);
    expect(await emailDue(h)).toBe(1);
    const mails = await callbackMails(h, shop.email);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toBe('4 callback requests on "Main site"');
    for (const n of [1, 2, 3, 4])
      expect(mails[1]?.text).toContain(`Visitor ${n}, +12025550100: Request ${n}`);
    // Nothing is sent twice.
    expect(await emailDue(h)).toBe(0);
  });

  it("a blocked IP's request is refused with its reason, stored nowhere and emailed to no one", async () => {
    const shop = await openBusiness(h);
    const ip = uniqueIp();
    await h.db.db
      .insert(abuseFlags)
      .values({ ip: ipKey(ip), reason: "flooding", source: "customer", accountId: shop.accountId });
    const before = (await h.outbox(shop.email)).length;
    for (let i = 0; i < 3; i++) {
      const error = await expectTrpcError(request(h, shop.publicId, ip, i));
      expect(error.data?.appCode).toBe("IP_BLOCKED");
      expect(error.data?.httpStatus).toBe(403);
      expect(error.message).toMatch(/requests from your network are blocked/i);
    }
    expect(await rowsOf(h, shop.buttonId)).toHaveLength(0);
    expect(await h.outbox(shop.email)).toHaveLength(before);
    const events = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
    expect(events.map((e) => [e.kind, e.count])).toEqual([["callback_refused_blocked_ip", 3]]);
    // Another business still takes requests from that IP.
    const other = await openBusiness(h);
    expect(await request(h, other.publicId, ip)).toEqual({ ok: true });
  });

  it("many visitors at once: every request is stored, and the owner gets one email per window saying how many", async () => {
    const shop = await openBusiness(h, "Busy site");
    await Promise.all(Array.from({ length: 12 }, (_, i) => request(h, shop.publicId, uniqueIp(), i)));
    expect(await rowsOf(h, shop.buttonId)).toHaveLength(12);
    // One email at once: for the first request, and any stored alongside it before it went out.
    const first = await callbackMails(h, shop.email);
    expect(first).toHaveLength(1);
    // A request after the window sends the waiting ones with it.
    h.clock.advance(CALLBACK_EMAIL_WINDOW_MS);
    await request(h, shop.publicId, uniqueIp(), 12);
    const mails = await callbackMails(h, shop.email);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toMatch(/^\d+ callback requests on "Busy site"$/);
    // Each of the 13 requests is counted in exactly one of the two emails.
    expect(requestsIn(mails[0]!) + requestsIn(mails[1]!)).toBe(13);
    const pending = (await rowsOf(h, shop.buttonId)).filter((r) => r.emailedAt === null);
    expect(pending).toHaveLength(0);
  });
});

describe("the digest's compare-and-set raced from two connection pools (unit: one app, a second pool)", () => {
  // Only the claim itself: both pools' jobs at the same instant of one test clock, which real
  // processes cannot arrange. The requests spread over two real processes are tested below.
  let db: TestDbHandle;
  let h: Harness;
  let other: SecondPool;
  beforeAll(async () => {
    db = await createTestDb();
    const pubsubKeyPrefix = unique("cac-callbacks");
    h = await startHarness({ db, limits: { "signup.ip": LIFTED }, build: { jobs: false, pubsubKeyPrefix } });
    other = await secondPool(h, db, pubsubKeyPrefix);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await other?.close();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  it("both pools' jobs at once after the window: one of them sends the digest", async () => {
    const shop = await openBusiness(h, "Shared site");
    // The first request is emailed at once; the 19 after it wait for the window to pass.
    await request(h, shop.publicId, uniqueIp(), 0);
    await Promise.all(Array.from({ length: 19 }, (_, i) => request(h, shop.publicId, uniqueIp(), i + 1)));
    expect(await rowsOf(h, shop.buttonId)).toHaveLength(20);
    expect(await callbackMails(h, shop.email)).toHaveLength(1);
    h.clock.advance(CALLBACK_EMAIL_WINDOW_MS);
    const settings = { publicUrl: new URL(h.portalOrigin) };
    const sent = await Promise.all([emailDue(h), emailDueCallbacks({ ...other.deps, settings })]);
    expect(sent[0] + sent[1]).toBe(1);
    const mails = await callbackMails(h, shop.email);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toMatch(/^\d+ callback requests on "Shared site"$/);
    expect(requestsIn(mails[0]!) + requestsIn(mails[1]!)).toBe(20);
    expect((await rowsOf(h, shop.buttonId)).filter((r) => r.emailedAt === null)).toHaveLength(0);
  });
});

const skip = clusterSkipReason();
if (skip) console.warn(`callbacks.test.ts: the two-process suite is skipped: ${skip}`);

describe.skipIf(skip !== null)("callback emails across two server processes", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  }, 240_000);
  afterAll(() => cluster?.close(), 60_000);

  /** The callback emails to `to` once the instances' email queue has delivered everything due. */
  const mailsOnceDelivered = async (to: string) => {
    await queueDelivered(cluster);
    return (await cluster.emailsTo(to)).filter((m) => /callback request/i.test(m.subject));
  };

  it("requests spread over both send one email at once and one digest after the window, never twice", {
    timeout: 120_000,
  }, async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    const sides = [instanceSide(cluster, a), instanceSide(cluster, b)] as const;
    const { client: owner, email, button } = await clusterOwner(cluster);
    await owner.trpc.buttons.update.mutate({
      id: button.id,
      fields: validButton({ name: "Shared site", hours: alwaysOpen, closedBehavior: "callback" }),
    });
    const rows = () =>
      cluster.db.select().from(callbackRequests).where(eq(callbackRequests.buttonId, button.id));
    const spread = (from: number) =>
      Promise.all(
        Array.from({ length: 10 }, (_, i) => request(sides[i % 2]!, button.publicId, uniqueIp(), from + i)),
      );
    // Ten at once: both processes race for the button's window, and one email goes out at once
    // (with as many requests as were stored when its window was claimed); the others wait.
    await spread(0);
    await until(async () => (await mailsOnceDelivered(email)).length > 0, "the first callback email");
    // Ten more, on both, within the window: they wait for the next email.
    await spread(10);
    expect(await rows()).toHaveLength(20);
    expect(await mailsOnceDelivered(email)).toHaveLength(1);

    // The window passes (moved back in the database: the processes' clocks cannot be moved). Both
    // processes' periodic jobs then look for due buttons, each every 30 s.
    await cluster.db
      .update(callbackEmailWindows)
      .set({
        emailedAt: sql`${callbackEmailWindows.emailedAt} - make_interval(secs => ${CALLBACK_EMAIL_WINDOW_MS / 1000})`,
      })
      .where(eq(callbackEmailWindows.buttonId, button.id));
    const moved = Date.now();
    await until(async () => (await mailsOnceDelivered(email)).length > 1, "the digest", 60_000);
    // Both jobs have looked since (a tick each, 30 s apart): nothing more went out.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, moved + 32_000 - Date.now())));
    const mails = await mailsOnceDelivered(email);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.subject).toMatch(/^\d+ callback requests on "Shared site"$/);
    // Each of the 20 requests is counted in exactly one of the two emails.
    expect(requestsIn(mails[0]!) + requestsIn(mails[1]!)).toBe(20);
    expect((await rows()).filter((r) => r.emailedAt === null)).toHaveLength(0);
  });
});

describe("callbacks.list pages through every request", () => {
  let h: Harness;
  let shop: Business;
  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
    shop = await openBusiness(h);
    // More than the old 200-row cap, some handled, a few sharing one timestamp.
    const base = Date.parse("2026-02-01T12:00:00Z");
    await h.db.db.insert(callbackRequests).values(
      Array.from({ length: 230 }, (_, i) => ({
        accountId: shop.accountId,
        buttonId: shop.buttonId,
        name: `Visitor ${i}`,
        phone: "+12025550100",
        handledAt: i % 3 === 0 ? new Date(base) : null,
        createdAt: new Date(base + Math.floor(i / 4) * 1000),
        emailedAt: new Date(base),
      })),
    );
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function all(onlyOpen: boolean, limit: number) {
    const seen: Array<{ id: string; createdAt: Date; handledAt: Date | null }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: typeof seen; nextCursor: string | null } =
        await shop.owner.trpc.callbacks.list.query({
          onlyOpen,
          limit,
          cursor,
        });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    return { seen, pages };
  }

  it("all 230, newest first, each once, in pages of 100", async () => {
    const { seen, pages } = await all(false, 100);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(230);
    expect(new Set(seen.map((r) => r.id)).size).toBe(230);
    for (let i = 1; i < seen.length; i++) {
      expect(+seen[i - 1]!.createdAt).toBeGreaterThanOrEqual(+seen[i]!.createdAt);
    }
  });

  it("only the open ones, page by page", async () => {
    const { seen } = await all(true, 37);
    expect(seen).toHaveLength(230 - Math.ceil(230 / 3));
    expect(seen.every((r) => r.handledAt === null)).toBe(true);
  });

  it("refuses a made-up cursor on its field", async () => {
    const error = await expectTrpcError(shop.owner.trpc.callbacks.list.query({ cursor: "bm9wZQ" }));
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.cursor?.[0]).toMatch(/no longer valid/);
  });
});
