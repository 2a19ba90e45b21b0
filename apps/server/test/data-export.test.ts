import { billingRecords, callRingSteps, callSessions, invitations, subscriptions, users } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";

type Export = {
  format: string;
  exportedAt: string;
  account: Record<string, unknown>;
  users: Array<Record<string, unknown> & { sessions: Array<Record<string, unknown>> }>;
  buttons: Array<Record<string, unknown>>;
  callbackRequests: Array<Record<string, unknown>>;
  invitations: Array<Record<string, unknown>>;
  subscription: Record<string, unknown> | null;
  billingRecords: Array<Record<string, unknown>>;
  callSessions: Array<Record<string, unknown> & { startedAt: string; id: string }>;
};

/** More calls than one read batch (2,000), so the streamed array spans batches. */
const CALLS = 2345;

describe("GET /exports/account.json (download my data)", () => {
  let h: Harness;
  let a: { client: TestClient; email: string; password: string; accountId: string; buttonId: string };
  let bMarkers: string[];
  let routedCall: string;
  let ownerId: string;
  let pendingEmail: string;
  let acceptedEmail: string;
  beforeAll(async () => {
    h = await startHarness({
      build: { jobs: false },
      limits: { "signup.ip": LIFTED },
    });
    const party = async (tag: string) => {
      const owner = await signupVerified(h, { companyName: `${tag} Co ${unique()}` });
      const [user] = await h.db.db.select().from(users).where(eq(users.email, owner.email));
      const button = await owner.client.trpc.buttons.create.mutate(validButton({ name: `${tag} button` }));
      const callbackName = `${tag} Visitor ${unique()}`;
      await h.client({ origin: "https://shop.test", ip: uniqueIp() }).trpc.widget.requestCallback.mutate({
        button: button.publicId,
        name: callbackName,
        phone: "(202) 555-0111",
      });
      const member = await memberByEmail(h.db.db, owner.email);
      return {
        ...owner,
        accountId: member.accountId,
        buttonId: button.id,
        button,
        callbackName,
        user: user!,
      };
    };
    const pa = await party("A");
    const pb = await party("B");
    a = pa;
    // A sent one invitation still pending, and one accepted before; B one of its own.
    pendingEmail = `${unique("invitee")}@example.com`;
    await pa.client.trpc.team.invite.mutate({ email: pendingEmail, role: "admin" });
    acceptedEmail = `${unique("joined")}@example.com`;
    await h.db.db.insert(invitations).values({
      accountId: pa.accountId,
      email: acceptedEmail,
      role: "agent",
      tokenHash: "invitation-token-hash-accepted",
      invitedBy: pa.user.id,
      expiresAt: new Date(h.clock.now().getTime() + 86_400_000),
      acceptedAt: h.clock.now(),
    });
    const bInvitee = `${unique("b-invitee")}@example.com`;
    await pb.client.trpc.team.invite.mutate({ email: bInvitee, role: "agent" });
    bMarkers = [pb.email, pb.accountId, pb.buttonId, pb.button.publicId, pb.callbackName, bInvitee];
    const start = h.clock.now().getTime();
    // A's button rings its owner in order; A's oldest call rang them and they answered.
    await pa.client.trpc.buttons.setRouting.mutate({
      id: pa.buttonId,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 15,
      members: [{ userId: pa.user.id, ringSeconds: 25 }],
    });
    const inserted = await h.db.db
      .insert(callSessions)
      .values(
        Array.from({ length: CALLS }, (_, i) => ({
          accountId: pa.accountId,
          buttonId: pa.buttonId,
          transport: "webrtc" as const,
          status: "completed" as const,
          visitorIp: "198.51.100.7",
          visitorTokenHash: `secret-token-hash-${i}`,
          // Pairs share a start time, so the order (and the batches' seams) also rely on the id.
          startedAt: new Date(start - Math.floor(i / 2) * 60_000),
          durationSeconds: i % 90,
        })),
      )
      .returning({ id: callSessions.id });
    routedCall = inserted.at(-1)?.id ?? "";
    await h.db.db.insert(callRingSteps).values({
      callId: routedCall,
      step: 0,
      userId: pa.user.id,
      startedAt: h.clock.now(),
      endedAt: h.clock.now(),
      outcome: "answered",
    });
    ownerId = pa.user.id;
    await h.db.db.insert(callSessions).values({
      accountId: pb.accountId,
      buttonId: pb.buttonId,
      transport: "webrtc",
      status: "completed",
      visitorIp: "198.51.100.99",
    });
    await h.db.db.insert(billingRecords).values({
      accountId: pa.accountId,
      stripeInvoiceId: unique("in"),
      amountCents: 2900,
      status: "paid",
      description: "1 × Starter",
      occurredAt: h.clock.now(),
    });
    await h.db.db.insert(subscriptions).values({
      accountId: pa.accountId,
      stripeSubscriptionId: unique("sub"),
      plan: "starter",
      status: "active",
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const download = (client: TestClient) => client.fetch(`${h.url}/exports/account.json`);

  it("gives the owner one JSON file with every section, all calls, and no secrets", async () => {
    const res = await download(a.client);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="click-and-call-data-2026-03-01.json"',
    );
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    const data = JSON.parse(text) as Export;
    expect(Object.keys(data).sort()).toEqual(
      [
        "account",
        "billingRecords",
        "buttons",
        "callSessions",
        "callbackRequests",
        "exportedAt",
        "format",
        "invitations",
        "subscription",
        "users",
      ].sort(),
    );
    expect(data.format).toBe("click-and-call-data-export/1");
    expect(data.account).toMatchObject({ id: a.accountId, status: "active", websiteUrl: expect.any(String) });
    expect(data.users).toHaveLength(1);
    expect(data.users[0]).toMatchObject({ email: a.email, role: "owner" });
    expect(data.users[0]!.sessions.length).toBeGreaterThan(0);
    expect(Object.keys(data.users[0]!.sessions[0]!).sort()).toEqual(
      ["createdAt", "ip", "lastUsedAt", "userAgent"].sort(),
    );
    expect(data.buttons.map((b) => b.id)).toEqual([a.buttonId]);
    expect(data.callbackRequests).toHaveLength(1);
    expect(data.callbackRequests[0]).toMatchObject({ phone: "+12025550111" });
    expect(data.billingRecords).toEqual([expect.objectContaining({ amountCents: 2900, status: "paid" })]);
    expect(data.subscription).toMatchObject({ plan: "starter", status: "active" });
    // The invitations the account sent: address, role, dates and status, never the link's hash.
    expect(data.invitations).toHaveLength(2);
    expect(data.invitations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: pendingEmail, role: "admin", status: "pending", acceptedAt: null }),
        expect.objectContaining({
          email: acceptedEmail,
          role: "agent",
          status: "accepted",
          invitedBy: ownerId,
          acceptedAt: expect.any(String),
        }),
      ]),
    );
    for (const invitation of data.invitations) {
      expect(Object.keys(invitation).sort()).toEqual(
        ["acceptedAt", "createdAt", "email", "expiresAt", "invitedBy", "revokedAt", "role", "status"].sort(),
      );
    }
    expect(text).not.toContain("invitation-token-hash-accepted");
    const [pending] = await h.db.db.select().from(invitations).where(eq(invitations.email, pendingEmail));
    expect(text).not.toContain(pending!.tokenHash);

    // Every call exactly once, oldest first, across the batches.
    expect(data.callSessions).toHaveLength(CALLS);
    expect(new Set(data.callSessions.map((c) => c.id)).size).toBe(CALLS);
    const order = data.callSessions.map((c) => `${c.startedAt} ${c.id}`);
    expect(order).toEqual([...order].sort());
    expect(data.callSessions[0]).toMatchObject({ visitorIp: "198.51.100.7", transport: "webrtc" });
    // Routing and who each call rang are the account's data too.
    expect(data.buttons[0]?.routing).toMatchObject({
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 15,
      members: [{ userId: ownerId, ringSeconds: 25 }],
    });
    expect(data.callSessions.find((c) => c.id === routedCall)?.ringSteps).toEqual([
      expect.objectContaining({ step: 0, userId: ownerId, outcome: "answered" }),
    ]);
    expect(data.callSessions.filter((c) => (c.ringSteps as unknown[]).length > 0)).toHaveLength(1);

    // No password hash, session ids or secrets, and no capability token hashes.
    const [owner] = await h.db.db.select().from(users).where(eq(users.email, a.email));
    expect(text).not.toContain(owner!.passwordHash);
    expect(text).not.toContain("$argon2");
    expect(text).not.toMatch(/passwordHash|secretHash|tokenHash|secret-token-hash/);
    const sessionId = decodeURIComponent(a.client.jar.get("cac_session")!).split(".")[0]!;
    expect(text).not.toContain(sessionId);

    // Nothing of the other account.
    for (const marker of bMarkers) expect(text).not.toContain(marker);
    expect(text).not.toContain("198.51.100.99");
  });

  it("refuses an anonymous caller, a forged cookie and a foreign page, and an agent of the account", async () => {
    const anonymous = await fetch(`${h.url}/exports/account.json`);
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${h.url}/exports/account.json`, {
      headers: { cookie: `cac_session=${unique()}.${"A".repeat(32)}` },
    });
    expect(forged.status).toBe(401);
    const foreign = await fetch(`${h.url}/exports/account.json`, {
      headers: { origin: "https://evil.test", cookie: `cac_session=${a.client.jar.get("cac_session")}` },
    });
    expect(foreign.status).toBe(403);
    for (const res of [anonymous, forged, foreign]) {
      const body = await res.text();
      expect(body).not.toContain(a.email);
      expect(JSON.parse(body).error).toBeTruthy();
    }

    const { client: agent } = await loginAgent(h, a.accountId);
    const res = await download(agent);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/Only the account owner/);
  });
});
