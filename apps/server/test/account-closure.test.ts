import { deleteClosedAccounts } from "@cac/core";
import { accounts, subscriptions } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  loginAgent,
  signupVerified,
  startHarness,
  unique,
  uniqueIp,
} from "./harness";

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("account closure", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      build: { jobs: false },
      limits: {
        "login.email": LIFTED,
        "signup.ip": LIFTED,
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function owner() {
    const o = await signupVerified(h, { name: `Dana ${unique()}` });
    const user = await memberByEmail(h.db.db, o.email);
    const button = await o.client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    return { ...o, accountId: user!.accountId, userId: user!.id, name: user!.name, button };
  }

  const accountRow = async (id: string) =>
    (await h.db.db.select().from(accounts).where(eq(accounts.id, id)))[0]!;
  const config = (publicId: string) =>
    fetch(`${h.url}/widget/config/${publicId}`, { headers: { origin: "https://shop.test" } });
  const visitor = () => h.client({ origin: "https://shop.test", ip: uniqueIp() });

  it("a wrong password is a field error on `password`, and nothing changes", async () => {
    const o = await owner();
    const before = await accountRow(o.accountId);
    const error = await expectTrpcError(
      o.client.trpc.account.close.mutate({ password: "not-my-password-1" }),
    );
    expect(error.data?.code).toBe("BAD_REQUEST");
    expect(error.data?.appCode).toBe("WRONG_PASSWORD");
    expect(error.data?.fieldErrors).toEqual({ password: ["That password is not correct."] });
    const empty = await expectTrpcError(o.client.trpc.account.close.mutate({ password: "" }));
    expect(empty.data?.fieldErrors?.password).toEqual(["Enter your password to close the account."]);
    expect(await accountRow(o.accountId)).toEqual(before);
    expect((await config(o.button.publicId)).status).toBe(200);
    expect((await h.outbox(o.email)).some((m) => /is closed/.test(m.subject))).toBe(false);
  });

  it("closing with the password stops the buttons, emails the deletion date and a reopen link; reopening before the date restores everything", async () => {
    const o = await owner();
    const now = h.clock.now();
    const closed = await o.client.trpc.account.close.mutate({ password: o.password });
    const deleteAfter = new Date(now.getTime() + 30 * DAY);
    expect(closed).toEqual({ status: "closed", closedAt: now, deleteAfter });
    expect(await o.client.trpc.account.closure.query()).toEqual(closed);
    expect((await o.client.trpc.account.me.query())?.account.status).toBe("closed");

    // The widget sees no button: no config, no calls, no callback requests.
    expect((await config(o.button.publicId)).status).toBe(404);
    const refused = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: o.button.publicId }));
    expect(refused.data?.code).toBe("NOT_FOUND");
    const noCallback = await expectTrpcError(
      visitor().trpc.widget.requestCallback.mutate({
        button: o.button.publicId,
        name: "Visitor",
        phone: "(202) 555-0111",
      }),
    );
    expect(noCallback.data?.code).toBe("NOT_FOUND");

    const mail = (await h.outbox(o.email)).findLast((m) => /is closed/.test(m.subject));
    expect(mail?.text).toContain(o.name);
    // The day as the account's timezone (New York) reads it.
    expect(mail?.text).toContain(
      new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeZone: "America/New_York" }).format(
        deleteAfter,
      ),
    );
    expect(mail?.text).toContain(`${h.portalOrigin}/account#close-account`);

    // Closing again is a no-op that answers the same dates.
    h.clock.advance(DAY);
    expect(await o.client.trpc.account.close.mutate({ password: o.password })).toEqual(closed);

    // Day 29: still reopenable (logged in again: a session ends after 10 idle days).
    h.clock.advance(28 * DAY);
    const again = h.client({ ip: uniqueIp() });
    await again.trpc.auth.login.mutate({ email: o.email, password: o.password });
    expect(await again.trpc.account.reopen.mutate()).toEqual({
      status: "active",
      closedAt: null,
      deleteAfter: null,
    });
    expect((await again.trpc.account.me.query())?.account.status).toBe("active");
    expect((await config(o.button.publicId)).status).toBe(200);
    // The deletion job leaves a reopened account alone.
    h.clock.advance(5 * DAY);
    expect((await deleteClosedAccounts(h.ports)).counts.accountsDeleted).toBe(0);
    expect((await accountRow(o.accountId)).status).toBe("active");
  });

  it("cannot be reopened once the deletion date has passed", async () => {
    const o = await owner();
    await o.client.trpc.account.close.mutate({ password: o.password });
    h.clock.advance(30 * DAY);
    const client = h.client({ ip: uniqueIp() });
    await client.trpc.auth.login.mutate({ email: o.email, password: o.password });
    const error = await expectTrpcError(client.trpc.account.reopen.mutate());
    expect(error.data?.code).toBe("CONFLICT");
    expect(error.message).toMatch(/can no longer be reopened/);
    expect((await accountRow(o.accountId)).status).toBe("closed");
  });

  it("is deleted by the last job run before its date, so within 30 days, and cannot be reopened once that run may come", async () => {
    const o = await owner();
    await o.client.trpc.account.close.mutate({ password: o.password });
    const client = h.client({ ip: uniqueIp() });
    // Two hours before the date, with hourly runs: reopening still works, and no run deletes it.
    h.clock.advance(30 * DAY - 2 * HOUR);
    await deleteClosedAccounts(h.ports, { intervalSeconds: 3600 });
    expect((await accountRow(o.accountId)).status).toBe("closed");
    // Thirty minutes before: the run now may delete it, so reopening is refused...
    h.clock.advance(HOUR + 30 * MINUTE);
    await client.trpc.auth.login.mutate({ email: o.email, password: o.password });
    const error = await expectTrpcError(client.trpc.account.reopen.mutate());
    expect(error.data?.code).toBe("CONFLICT");
    // ...and the run deletes it before its 30 days are up.
    await deleteClosedAccounts(h.ports, { intervalSeconds: 3600 });
    expect(await h.db.db.select().from(accounts).where(eq(accounts.id, o.accountId))).toEqual([]);
  });

  it("a paid plan that still renews must be canceled first", async () => {
    const o = await owner();
    await h.db.db.insert(subscriptions).values({
      accountId: o.accountId,
      stripeSubscriptionId: unique("sub"),
      plan: "starter",
      status: "active",
    });
    const error = await expectTrpcError(o.client.trpc.account.close.mutate({ password: o.password }));
    expect(error.data?.code).toBe("CONFLICT");
    expect(error.message).toMatch(/Cancel it in Billing first/);
    expect((await accountRow(o.accountId)).status).toBe("active");
    // Canceled at period end: closing is allowed.
    await h.db.db
      .update(subscriptions)
      .set({ cancelAtPeriodEnd: true })
      .where(eq(subscriptions.accountId, o.accountId));
    expect((await o.client.trpc.account.close.mutate({ password: o.password })).status).toBe("closed");
  });

  it("only the owner can close or reopen; an agent sees the status", async () => {
    const o = await owner();
    const { client: agent, email: agentEmail, password: agentPassword } = await loginAgent(h, o.accountId);
    const close = await expectTrpcError(agent.trpc.account.close.mutate({ password: agentPassword }));
    expect(close.data?.code).toBe("FORBIDDEN");
    expect((await agent.trpc.account.closure.query()).status).toBe("active");
    await o.client.trpc.account.close.mutate({ password: o.password });
    const reopen = await expectTrpcError(agent.trpc.account.reopen.mutate());
    expect(reopen.data?.code).toBe("FORBIDDEN");
    expect((await agent.trpc.account.closure.query()).status).toBe("closed");
    // Only owners get the closing email.
    expect(await h.outbox(agentEmail)).toEqual([]);
  });
});
