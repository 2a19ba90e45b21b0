import { accounts, callbackRequests, callSessions, users } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

const MINUTE = 60_000;

describe("dashboard: the Get started checklist from real data, then today's numbers", () => {
  let h: Harness;
  let owner: TestClient;
  let accountId: string;
  let userId: string;
  beforeAll(async () => {
    h = await startHarness({ limits: { "config.ip": LIFTED }, build: { jobs: false } });
    owner = (await signupVerified(h)).client;
    const me = await owner.trpc.account.me.query();
    accountId = me!.account.id;
    userId = me!.user.id;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close());

  const overview = () => owner.trpc.dashboard.overview.query();
  const call = (values: Partial<typeof callSessions.$inferInsert>) =>
    h.db.db.insert(callSessions).values({ accountId, transport: "webrtc", ...values });

  it("ticks each step as it happens, from the account's own rows", async () => {
    // An unconfirmed email is not ticked (the session stays valid).
    await h.db.db.update(users).set({ emailVerifiedAt: null }).where(eq(users.id, userId));
    expect((await overview()).checklist.emailConfirmed).toBe(false);
    await h.db.db.update(users).set({ emailVerifiedAt: h.clock.now() }).where(eq(users.id, userId));

    const fresh = await overview();
    expect(fresh).toEqual({
      checklist: {
        emailConfirmed: true,
        buttonCreated: false,
        snippetSeen: false,
        answerReady: false,
        firstCallAnswered: false,
        firstButton: null,
        seenOn: null,
        // No Twilio on this server, and the free plan rings the portal only: no phone offer.
        canRingPhone: false,
        complete: false,
      },
      today: null,
    });

    const button = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, allowedDomains: ["shop.test"] }),
    );
    expect((await overview()).checklist).toMatchObject({
      buttonCreated: true,
      firstButton: { id: button.id, publicId: button.publicId },
      snippetSeen: false,
    });

    // A refused site does not count as installed; an allowed one does, once the origin log is written.
    const load = (origin: string) =>
      fetch(`${h.url}/widget/config/${button.publicId}`, {
        headers: { origin, "x-forwarded-for": uniqueIp() },
      });
    expect((await load("https://elsewhere.test")).status).toBe(403);
    await h.originLog.flush();
    expect((await overview()).checklist.snippetSeen).toBe(false);
    expect((await load("https://shop.test")).status).toBe(200);
    await h.originLog.flush();
    expect((await overview()).checklist).toMatchObject({ snippetSeen: true, seenOn: "https://shop.test" });

    await owner.trpc.phone.setAvailable.mutate({ available: true });
    expect((await overview()).checklist.answerReady).toBe(true);

    // A missed call is not an answered one.
    await call({ buttonId: button.id, status: "no-answer", endedAt: h.clock.now() });
    expect((await overview()).checklist.firstCallAnswered).toBe(false);
    await call({
      buttonId: button.id,
      status: "completed",
      answeredAt: h.clock.now(),
      answeredBy: userId,
      endedAt: h.clock.now(),
      durationSeconds: 42,
    });
    const done = await overview();
    expect(done.checklist.firstCallAnswered).toBe(true);
    expect(done.checklist.complete).toBe(true);
    expect(done.today).not.toBeNull();
  });

  it("counts today's calls in the account's timezone, missed calls, callbacks waiting and who is reachable", async () => {
    // The harness clock is 2026-03-01T12:00Z: 07:00 on March 1 in New York, 01:00 on March 2 in Auckland.
    const now = h.clock.now().getTime();
    await h.db.db.delete(callSessions).where(eq(callSessions.accountId, accountId));
    await call({ status: "completed", startedAt: new Date(now - 90 * MINUTE), answeredAt: new Date(now) });
    await call({ status: "no-answer", startedAt: new Date(now - 30 * MINUTE) });
    await call({ status: "unavailable", startedAt: new Date(now - 20 * MINUTE) });
    // Still ringing: neither missed nor answered yet.
    await call({ status: "ringing", startedAt: new Date(now - MINUTE) });
    // Yesterday in New York (23:00 on Feb 28).
    await call({ status: "no-answer", startedAt: new Date(now - 8 * 60 * MINUTE) });
    await h.db.db.insert(callbackRequests).values([
      { accountId, name: "Val", phone: "+12025550188" },
      { accountId, name: "Kim", phone: "+12025550189", status: "assigned", assigneeId: userId },
      { accountId, name: "Lee", phone: "+12025550180", status: "done" },
    ]);
    const panel = await readyToAnswer(h.url, owner);
    try {
      expect((await overview()).today).toEqual({
        timezone: "America/New_York",
        date: "2026-03-01",
        calls: 4,
        missed: 2,
        callbacksWaiting: 2,
        reachable: [{ userId, name: "Dana Owner" }],
      });

      // In Auckland it is already March 2: only the calls of the last hour are today's.
      await h.db.db.update(accounts).set({ timezone: "Pacific/Auckland" }).where(eq(accounts.id, accountId));
      expect((await overview()).today).toMatchObject({
        timezone: "Pacific/Auckland",
        date: "2026-03-02",
        calls: 3,
        missed: 2,
      });
    } finally {
      panel.drop();
      await h.db.db.update(accounts).set({ timezone: "America/New_York" }).where(eq(accounts.id, accountId));
    }
  });

  it("shows another account none of it", async () => {
    const stranger = (await signupVerified(h)).client;
    const theirs = await stranger.trpc.dashboard.overview.query();
    expect(theirs.checklist).toMatchObject({ buttonCreated: false, snippetSeen: false, firstButton: null });
    expect(theirs.today).toBeNull();
  });
});
