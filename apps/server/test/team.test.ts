import { INVITATION_TTL_MS, sha256 } from "@cac/core";
import {
  accounts,
  authSessions,
  callbackRequests,
  callSessions,
  invitations,
  memberHours,
  memberships,
} from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withSubscriptions } from "./call-clients";
import { until } from "./cluster/event-stream";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueEmail,
  uniqueIp,
} from "./harness";

const PASSWORD = "invited-password-123";

describe("the team: invitations, roles, removal", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: {
        "login.email": LIFTED,
        "login.ip": LIFTED,
        "login.ip_email": LIFTED,
        "signup.ip": LIFTED,
        "invitation.ip": LIFTED,
        "invitation.account": LIFTED,
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  /** An owner on the Pro plan (25 seats), unless a plan is given. */
  async function business(plan: "free" | "pro" = "pro") {
    const owner = await signupVerified(h);
    const me = await memberByEmail(h.db.db, owner.email);
    await h.db.db.update(accounts).set({ plan }).where(eq(accounts.id, me.accountId));
    return { ...owner, accountId: me.accountId, userId: me.id };
  }

  /** The token of the newest invitation emailed to `email` (it travels in the link's fragment). */
  async function invitationToken(email: string): Promise<string> {
    const mails = await h.outbox(email);
    const mail = mails.findLast((m) => m.text.includes("/invitation#token="));
    const token = mail?.text.match(/\/invitation#token=([A-Za-z0-9_-]+)/)?.[1];
    if (!token) throw new Error(`no invitation emailed to ${email}`);
    return token;
  }

  async function invite(
    owner: TestClient,
    role: "owner" | "admin" | "agent" = "agent",
    email = uniqueEmail("invitee"),
  ) {
    const invitation = await owner.trpc.team.invite.mutate({ email, role });
    return { email, invitation, token: await invitationToken(email) };
  }

  async function acceptNew(token: string, name = "Sam Agent") {
    const client = h.client({ ip: uniqueIp() });
    await client.trpc.team.acceptWithNewLogin.mutate({ token, name, password: PASSWORD, ageConfirmed: true });
    return client;
  }

  async function login(email: string, password = PASSWORD) {
    const client = h.client({ ip: uniqueIp() });
    await client.trpc.auth.login.mutate({ email, password });
    return client;
  }

  describe("invitations", () => {
    it("a new login accepts: named, 18+, email confirmed by the link, logged in to the account as its role", async () => {
      const owner = await business();
      const { email, token } = await invite(owner.client, "agent");
      // The link is stored as a hash only.
      const [row] = await h.db.db.select().from(invitations).where(eq(invitations.email, email));
      expect(row?.tokenHash).toBe(sha256(token));
      expect(JSON.stringify(row)).not.toContain(token);

      const anonymous = h.client({ ip: uniqueIp() });
      expect(await anonymous.trpc.team.invitation.query({ token })).toEqual({
        companyName: "Acme Plumbing",
        email,
        role: "agent",
        hasLogin: false,
      });
      const agent = await acceptNew(token);
      const me = await agent.trpc.account.me.query();
      expect(me?.user).toMatchObject({ email, role: "agent", emailVerified: true });
      expect(me?.account.id).toBe(owner.accountId);
      const team = await owner.client.trpc.team.members.query();
      expect(team.map((m) => [m.email, m.role])).toEqual([
        [owner.email, "owner"],
        [email, "agent"],
      ]);
      expect(await owner.client.trpc.team.invitations.query()).toEqual([]);
    });

    it("an existing login accepts while signed in, belongs to both accounts and switches between them", async () => {
      const first = await business();
      const second = await business();
      const { token } = await invite(second.client, "admin", first.email);
      expect((await h.client().trpc.team.invitation.query({ token })).hasLogin).toBe(true);
      // Creating a second login for the same address is refused: log in instead.
      const twice = await expectTrpcError(
        h.client({ ip: uniqueIp() }).trpc.team.acceptWithNewLogin.mutate({
          token,
          name: "Dup",
          password: PASSWORD,
          ageConfirmed: true,
        }),
      );
      expect(twice.data?.appCode).toBe("CONFLICT");

      await first.client.trpc.team.acceptInvitation.mutate({ token });
      // The session now works in the account it joined, as an admin there.
      const inSecond = await first.client.trpc.account.me.query();
      expect(inSecond?.account.id).toBe(second.accountId);
      expect(inSecond?.user.role).toBe("admin");
      const mine = await first.client.trpc.team.accounts.query();
      expect(mine.map((a) => [a.accountId, a.role]).sort()).toEqual(
        [
          [first.accountId, "owner"],
          [second.accountId, "admin"],
        ].sort(),
      );
      await first.client.trpc.team.switchAccount.mutate({ accountId: first.accountId });
      expect((await first.client.trpc.account.me.query())?.user.role).toBe("owner");
      // Never to an account one does not belong to.
      const stranger = await business();
      const refused = await expectTrpcError(
        first.client.trpc.team.switchAccount.mutate({ accountId: stranger.accountId }),
      );
      expect(refused.data?.code).toBe("NOT_FOUND");
      expect((await first.client.trpc.account.me.query())?.account.id).toBe(first.accountId);
    });

    it("someone removed from their only account comes back with their login's password", async () => {
      const owner = await business();
      const email = uniqueEmail("returning");
      await acceptNew((await invite(owner.client, "agent", email)).token);
      const userId = (await memberByEmail(h.db.db, email)).id;
      await owner.client.trpc.team.remove.mutate({ userId });
      // Their login belongs to no account now: it cannot log in, and says why.
      const orphan = await expectTrpcError(login(email));
      expect(orphan.data?.code).toBe("FORBIDDEN");
      expect(orphan.message).toMatch(/not a member of any account/);

      const { token } = await invite(owner.client, "admin", email);
      expect((await h.client({ ip: uniqueIp() }).trpc.team.invitation.query({ token })).hasLogin).toBe(true);
      const visitor = h.client({ ip: uniqueIp() });
      const wrong = await expectTrpcError(
        visitor.trpc.team.acceptWithPassword.mutate({ token, password: "not-their-password" }),
      );
      expect(wrong.data?.code).toBe("UNAUTHORIZED");
      await visitor.trpc.team.acceptWithPassword.mutate({ token, password: PASSWORD });
      const me = await visitor.trpc.account.me.query();
      expect(me?.account.id).toBe(owner.accountId);
      expect(me?.user.role).toBe("admin");
      // The link worked once.
      const again = await expectTrpcError(
        h.client({ ip: uniqueIp() }).trpc.team.acceptWithPassword.mutate({ token, password: PASSWORD }),
      );
      expect(again.data?.appCode).toBe("INVALID_TOKEN");
    });

    it("an invitation for another address is refused to the signed-in login", async () => {
      const owner = await business();
      const other = await business();
      const { token } = await invite(owner.client, "agent");
      const refused = await expectTrpcError(other.client.trpc.team.acceptInvitation.mutate({ token }));
      expect(refused.data?.code).toBe("FORBIDDEN");
      expect(refused.message).toMatch(/log in with that address/i);
      // Still open for its invitee.
      await acceptNew(token);
    });

    it("a link works once", async () => {
      const owner = await business();
      const { token } = await invite(owner.client);
      await acceptNew(token);
      const reused = await expectTrpcError(acceptNew(token, "Second Try"));
      expect(reused.data?.appCode).toBe("INVALID_TOKEN");
      expect(
        await expectTrpcError(h.client({ ip: uniqueIp() }).trpc.team.invitation.query({ token })),
      ).toBeTruthy();
    });

    it("a link expires after 7 days; resending sends a new one and the old one stops working", async () => {
      const owner = await business();
      const { email, invitation, token } = await invite(owner.client);
      h.clock.advance(INVITATION_TTL_MS);
      const expired = await expectTrpcError(acceptNew(token));
      expect(expired.data?.appCode).toBe("INVALID_TOKEN");
      const listed = await owner.client.trpc.team.invitations.query();
      expect(listed).toMatchObject([{ id: invitation.id, email, expired: true }]);

      const resent = await owner.client.trpc.team.resendInvitation.mutate({ id: invitation.id });
      expect(resent.expired).toBe(false);
      const fresh = await invitationToken(email);
      expect(fresh).not.toBe(token);
      const old = await expectTrpcError(acceptNew(token));
      expect(old.data?.appCode).toBe("INVALID_TOKEN");
      await acceptNew(fresh);
    });

    it("a revoked link stops working", async () => {
      const owner = await business();
      const { invitation, token } = await invite(owner.client);
      await owner.client.trpc.team.revokeInvitation.mutate({ id: invitation.id });
      const revoked = await expectTrpcError(acceptNew(token));
      expect(revoked.data?.appCode).toBe("INVALID_TOKEN");
      expect(await owner.client.trpc.team.invitations.query()).toEqual([]);
    });

    it("seats: pending invitations count at invite time, with a clear message", async () => {
      // Free: 2 seats. The owner holds one, an open invitation the other.
      const owner = await business("free");
      await invite(owner.client);
      const full = await expectTrpcError(
        owner.client.trpc.team.invite.mutate({ email: uniqueEmail("third"), role: "agent" }),
      );
      expect(full.data?.appCode).toBe("PLAN_LIMIT");
      expect(full.message).toMatch(/Free plan allows 2 team members, pending invitations included/);
    });

    it("seats: the Team and Billing pages read the same counts, and the refusal an invitation would meet", async () => {
      const owner = await business("free");
      expect(await owner.client.trpc.team.seats.query()).toEqual({
        members: 1,
        pending: 0,
        allowed: 2,
        full: false,
        inviteRefusal: null,
      });
      const { email } = await invite(owner.client);
      const seats = await owner.client.trpc.team.seats.query();
      expect(seats).toMatchObject({ members: 1, pending: 1, allowed: 2, full: true });
      const refused = await expectTrpcError(
        owner.client.trpc.team.invite.mutate({ email: uniqueEmail("third"), role: "agent" }),
      );
      expect(seats.inviteRefusal).toBe(refused.message);
      // A revoked invitation frees its seat.
      const [open] = await owner.client.trpc.team.invitations.query();
      expect(open?.email).toBe(email);
      await owner.client.trpc.team.revokeInvitation.mutate({ id: open!.id });
      expect(await owner.client.trpc.team.seats.query()).toMatchObject({ pending: 0, full: false });
    });

    it("seats: two acceptances at once never go past the plan", async () => {
      const owner = await business("free");
      const { token } = await invite(owner.client);
      // A second open invitation, as one sent before a downgrade would be.
      const second = "second-invitation-token-0123456789";
      await h.db.db.insert(invitations).values({
        accountId: owner.accountId,
        email: uniqueEmail("downgraded"),
        role: "agent",
        tokenHash: sha256(second),
        expiresAt: new Date(h.clock.now().getTime() + INVITATION_TTL_MS),
      });
      const outcomes = await Promise.allSettled([acceptNew(token, "One"), acceptNew(second, "Two")]);
      expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
      const [refusal] = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason] : []));
      expect((refusal as { data?: { appCode?: string } }).data?.appCode).toBe("PLAN_LIMIT");
      const count = await h.db.db
        .select()
        .from(memberships)
        .where(eq(memberships.accountId, owner.accountId));
      expect(count).toHaveLength(2);
    });

    it("only an owner invites an owner; admins invite admins and agents; agents invite nobody", async () => {
      const owner = await business();
      const admin = await acceptNew((await invite(owner.client, "admin")).token);
      const agent = await acceptNew((await invite(owner.client, "agent")).token);
      const adminOwner = await expectTrpcError(
        admin.trpc.team.invite.mutate({ email: uniqueEmail("x"), role: "owner" }),
      );
      expect(adminOwner.data?.code).toBe("FORBIDDEN");
      await admin.trpc.team.invite.mutate({ email: uniqueEmail("by-admin"), role: "admin" });
      const byAgent = await expectTrpcError(
        agent.trpc.team.invite.mutate({ email: uniqueEmail("y"), role: "agent" }),
      );
      expect(byAgent.data?.code).toBe("FORBIDDEN");
      await owner.client.trpc.team.invite.mutate({ email: uniqueEmail("co-owner"), role: "owner" });
    });
  });

  describe("roles", () => {
    it("admins move people between admin and agent, never to or from owner", async () => {
      const owner = await business();
      const adminEmail = uniqueEmail("admin");
      const admin = await acceptNew((await invite(owner.client, "admin", adminEmail)).token);
      const agentEmail = uniqueEmail("agent");
      await acceptNew((await invite(owner.client, "agent", agentEmail)).token);
      const agentId = (await memberByEmail(h.db.db, agentEmail)).id;
      await admin.trpc.team.changeRole.mutate({ userId: agentId, role: "admin" });
      await admin.trpc.team.changeRole.mutate({ userId: agentId, role: "agent" });
      const toOwner = await expectTrpcError(
        admin.trpc.team.changeRole.mutate({ userId: agentId, role: "owner" }),
      );
      expect(toOwner.data?.code).toBe("FORBIDDEN");
      const demoteOwner = await expectTrpcError(
        admin.trpc.team.changeRole.mutate({ userId: owner.userId, role: "agent" }),
      );
      expect(demoteOwner.data?.code).toBe("FORBIDDEN");
      const removeOwner = await expectTrpcError(admin.trpc.team.remove.mutate({ userId: owner.userId }));
      expect(removeOwner.data?.code).toBe("FORBIDDEN");
      // The owner makes another owner.
      await owner.client.trpc.team.changeRole.mutate({ userId: agentId, role: "owner" });
      expect((await memberByEmail(h.db.db, agentEmail)).role).toBe("owner");
    });

    it("the last owner can neither be demoted nor leave nor be removed", async () => {
      const owner = await business();
      const demote = await expectTrpcError(
        owner.client.trpc.team.changeRole.mutate({ userId: owner.userId, role: "admin" }),
      );
      expect(demote.data?.appCode).toBe("CONFLICT");
      expect(demote.message).toMatch(/at least one owner/);
      const leave = await expectTrpcError(owner.client.trpc.team.leave.mutate());
      expect(leave.data?.appCode).toBe("CONFLICT");
      const remove = await expectTrpcError(owner.client.trpc.team.remove.mutate({ userId: owner.userId }));
      expect(remove.data?.appCode).toBe("CONFLICT");
      expect((await memberByEmail(h.db.db, owner.email)).role).toBe("owner");
    });

    it("two owners demoting each other at once leave exactly one owner", async () => {
      const owner = await business();
      const coEmail = uniqueEmail("co-owner");
      const co = await acceptNew((await invite(owner.client, "owner", coEmail)).token);
      const coId = (await memberByEmail(h.db.db, coEmail)).id;
      const outcomes = await Promise.allSettled([
        owner.client.trpc.team.changeRole.mutate({ userId: coId, role: "admin" }),
        co.trpc.team.changeRole.mutate({ userId: owner.userId, role: "admin" }),
      ]);
      const owners = await h.db.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.accountId, owner.accountId), eq(memberships.role, "owner")));
      expect(owners).toHaveLength(1);
      // The one that lost either found itself demoted (FORBIDDEN) or the last owner (CONFLICT).
      const rejected = outcomes.filter((o) => o.status === "rejected");
      expect(rejected).toHaveLength(1);
      const code = (rejected[0] as PromiseRejectedResult).reason.data?.appCode;
      expect(["CONFLICT", "FORBIDDEN"]).toContain(code);
    });

    it("agents see visitors' networks, not their IPs, and cannot export or block", async () => {
      const owner = await business();
      const agent = await acceptNew((await invite(owner.client, "agent")).token);
      const now = h.clock.now();
      await h.db.db.insert(callSessions).values({
        accountId: owner.accountId,
        transport: "webrtc",
        status: "completed",
        visitorIp: "203.0.113.77",
        startedAt: now,
        endedAt: now,
        lastActivityAt: now,
      });
      const asOwner = await owner.client.trpc.callLog.list.query({});
      expect(asOwner.items[0]?.visitorIp).toBe("203.0.113.77");
      const asAgent = await agent.trpc.callLog.list.query({});
      expect(asAgent.items[0]?.visitorIp).toBe("203.0.113.0/24");
      expect(JSON.stringify(asAgent)).not.toContain("203.0.113.77");
      const csv = await agent.fetch(`${h.url}/exports/calls.csv`);
      expect(csv.status).toBe(403);
      const block = await expectTrpcError(agent.trpc.abuse.blockIp.mutate({ ip: "203.0.113.77" }));
      expect(block.data?.code).toBe("FORBIDDEN");
    });
  });

  describe("removal", () => {
    it("the removed member's panel (the portal's subscription client) is told at once and does not reconnect", async () => {
      const owner = await business();
      const email = uniqueEmail("subscribed");
      const agent = await acceptNew((await invite(owner.client, "agent", email)).token);
      const userId = (await memberByEmail(h.db.db, email)).id;
      const states: string[] = [];
      let refused: { code?: string; message: string } | null = null;
      const sub = withSubscriptions(h.url, agent).phone.events.subscribe(undefined, {
        onConnectionStateChange: (change) => states.push(change.state),
        onError: (error) => {
          refused = { code: (error.data as { code?: string } | undefined)?.code, message: error.message };
        },
      });
      try {
        await until(() => states.includes("pending"), "the panel's stream to open");
        await owner.client.trpc.team.remove.mutate({ userId });
        await until(() => refused !== null, "the panel to hear it was removed");
        expect(refused).toEqual({ code: "UNAUTHORIZED", message: "You were removed from this account." });
      } finally {
        sub.unsubscribe();
      }
    });

    it("ends the member's sessions in that account at once, and only those", async () => {
      const owner = await business();
      const other = await business();
      const email = uniqueEmail("both");
      // A member of two accounts, logged in to each.
      await acceptNew((await invite(other.client, "agent", email)).token);
      const inOther = await login(email);
      const token = (await invite(owner.client, "agent", email)).token;
      const inOwners = await login(email);
      await inOwners.trpc.team.acceptInvitation.mutate({ token });
      expect((await inOwners.trpc.account.me.query())?.account.id).toBe(owner.accountId);
      const userId = (await memberByEmail(h.db.db, email)).id;

      await owner.client.trpc.team.remove.mutate({ userId });
      expect(await inOwners.trpc.account.me.query()).toBeNull();
      const left = await h.db.db
        .select()
        .from(authSessions)
        .where(and(eq(authSessions.userId, userId), eq(authSessions.activeAccountId, owner.accountId)));
      expect(left).toEqual([]);
      // Their login in the other account still works.
      expect((await inOther.trpc.account.me.query())?.account.id).toBe(other.accountId);
    });

    it("takes the removed member out of the buttons' routing, drops their own hours and hands back their open callbacks", async () => {
      const owner = await business();
      const { email, token } = await invite(owner.client, "agent");
      const agent = await acceptNew(token);
      const userId = (await memberByEmail(h.db.db, email)).id;
      const button = await owner.client.trpc.buttons.create.mutate(
        validButton({ hours: alwaysOpen, closedBehavior: "callback", allowedDomains: ["shop.test"] }),
      );
      await owner.client.trpc.buttons.setRouting.mutate({
        id: button.id,
        who: "chosen",
        strategy: "in-order",
        stepSeconds: 20,
        members: [
          { userId, ringSeconds: null },
          { userId: owner.userId, ringSeconds: null },
        ],
      });
      await agent.trpc.phone.setHours.mutate({ hours: alwaysOpen });
      await h.client({ origin: "https://shop.test", ip: uniqueIp() }).trpc.widget.requestCallback.mutate({
        button: button.publicId,
        name: "Visitor",
        phone: "(202) 555-0111",
      });
      const [request] = await h.db.db
        .select({ id: callbackRequests.id })
        .from(callbackRequests)
        .where(eq(callbackRequests.accountId, owner.accountId));
      await owner.client.trpc.callbacks.assign.mutate({ id: request!.id, assigneeId: userId });

      await owner.client.trpc.team.remove.mutate({ userId });

      const routing = await owner.client.trpc.buttons.routing.query({ id: button.id });
      expect(routing.members.map((member) => member.userId)).toEqual([owner.userId]);
      expect(
        await h.db.db
          .select()
          .from(memberHours)
          .where(and(eq(memberHours.accountId, owner.accountId), eq(memberHours.userId, userId))),
      ).toEqual([]);
      const [handedBack] = await h.db.db
        .select({ status: callbackRequests.status, assigneeId: callbackRequests.assigneeId })
        .from(callbackRequests)
        .where(eq(callbackRequests.id, request!.id));
      expect(handedBack).toEqual({ status: "new", assigneeId: null });
    });

    it("cuts the removed member's live phone stream", async () => {
      const owner = await business();
      const email = uniqueEmail("panel");
      const agent = await acceptNew((await invite(owner.client, "agent", email)).token);
      const userId = (await memberByEmail(h.db.db, email)).id;
      const abort = new AbortController();
      try {
        const res = await agent.fetch(`${h.url}/trpc/phone.events`, {
          headers: { accept: "text/event-stream" },
          signal: abort.signal,
        });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        // The stream is open: its first bytes arrive.
        const first = await reader.read();
        expect(first.done).toBe(false);
        await owner.client.trpc.team.remove.mutate({ userId });
        // The server tells the panel why and ends the stream (without the removal it stays open).
        let told = "";
        for (;;) {
          const chunk = await reader.read();
          if (chunk.done) break;
          told += new TextDecoder().decode(chunk.value);
        }
        expect(told).toContain("event: serialized-error");
        expect(told).toContain("You were removed from this account.");
        expect(told).toContain('"code":"UNAUTHORIZED"');
        // And the panel cannot come back.
        const again = await agent.fetch(`${h.url}/trpc/phone.events`, {
          headers: { accept: "text/event-stream" },
          signal: abort.signal,
        });
        let text = "";
        const refusal = again.body!.getReader();
        while (!text.includes("UNAUTHORIZED")) {
          const chunk = await refusal.read();
          if (chunk.done) break;
          text += new TextDecoder().decode(chunk.value);
        }
        expect(text).toContain("UNAUTHORIZED");
      } finally {
        abort.abort();
      }
    }, 30_000);
  });
});
