import { authSessions, emailTokens, users } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  signupVerified,
  startHarness,
  tokenFromEmail,
  uniqueEmail,
  uniqueIp,
} from "./harness";

const HOUR = 60 * 60 * 1000;

async function userByEmail(h: Harness, email: string) {
  const [user] = await h.db.db.select().from(users).where(eq(users.email, email));
  return user!;
}

async function sessionIds(h: Harness, userId: string) {
  return (await h.db.db.select().from(authSessions).where(eq(authSessions.userId, userId))).map((s) => s.id);
}

async function resetLink(h: Harness, email: string) {
  const mails = (await h.outbox(email)).filter((m) => m.text.includes("/reset-password?token="));
  return tokenFromEmail(mails.at(-1)!.text, "/reset-password");
}

describe("password change", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("ends the other sessions, keeps the current one, and the new password works", async () => {
    const { client: laptop, email, password } = await signupVerified(h);
    const phone = h.client({ ip: uniqueIp() });
    await phone.trpc.auth.login.mutate({ email, password });
    const user = await userByEmail(h, email);
    expect(await sessionIds(h, user.id)).toHaveLength(2);

    const newPassword = "a-brand-new-passphrase-7";
    await expect(
      laptop.trpc.account.changePassword.mutate({ currentPassword: password, newPassword }),
    ).resolves.toEqual({ ok: true });

    expect((await laptop.trpc.account.me.query())?.user.email).toBe(email);
    expect((await expectTrpcError(phone.trpc.account.sessions.query())).data?.code).toBe("UNAUTHORIZED");
    expect(await sessionIds(h, user.id)).toHaveLength(1);

    const fresh = h.client({ ip: uniqueIp() });
    expect((await expectTrpcError(fresh.trpc.auth.login.mutate({ email, password }))).data?.code).toBe(
      "UNAUTHORIZED",
    );
    await expect(fresh.trpc.auth.login.mutate({ email, password: newPassword })).resolves.toEqual({
      ok: true,
    });
    const notice = (await h.outbox(email)).at(-1)!;
    expect(notice.subject).toMatch(/password was changed/i);
  });

  it("refuses a wrong current password with a message on currentPassword and changes nothing", async () => {
    const { client, email } = await signupVerified(h);
    const before = await userByEmail(h, email);
    const error = await expectTrpcError(
      client.trpc.account.changePassword.mutate({
        currentPassword: "not-my-password",
        newPassword: "another-good-passphrase-9",
      }),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(
      (error.data?.fieldErrors as Record<string, string[]> | null | undefined)?.currentPassword?.[0],
    ).toMatch(/not correct/i);
    expect((await userByEmail(h, email)).passwordHash).toBe(before.passwordHash);
    // Still logged in after the refusal.
    expect((await client.trpc.account.me.query())?.user.email).toBe(email);
  });

  it("refuses a weak new password with a message on newPassword", async () => {
    const { client, password } = await signupVerified(h);
    const error = await expectTrpcError(
      client.trpc.account.changePassword.mutate({ currentPassword: password, newPassword: "password123" }),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(
      (error.data?.fieldErrors as Record<string, string[]> | null | undefined)?.newPassword?.[0],
    ).toMatch(/too common/i);
  });
});

describe("password reset", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: {
        "reset.ip": { points: 1000, durationSeconds: 60 },
        "reset.email": { points: 1000, durationSeconds: 60 },
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("answers an unknown email exactly like a known one and emails nobody", async () => {
    const { email } = await signupVerified(h);
    const known = await rawTrpc(h, "auth.requestPasswordReset", {
      input: { email },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    const unknownEmail = uniqueEmail("ghost");
    const unknown = await rawTrpc(h, "auth.requestPasswordReset", {
      input: { email: unknownEmail },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(known.status);
    expect(unknown.text).toBe(known.text);
    expect(unknown.headers.get("set-cookie")).toBe(known.headers.get("set-cookie"));
    expect(await h.outbox(unknownEmail)).toHaveLength(0);
    expect((await h.outbox(email)).at(-1)!.text).toContain("/reset-password?token=");
  });

  it("sets a new password by the emailed link, once; ends every earlier session; logs in", async () => {
    const { client: old, email, password } = await signupVerified(h);
    const other = h.client({ ip: uniqueIp() });
    await other.trpc.auth.login.mutate({ email, password });
    const user = await userByEmail(h, email);
    const before = await sessionIds(h, user.id);
    expect(before).toHaveLength(2);

    const browser = h.client({ ip: uniqueIp() });
    await browser.trpc.auth.requestPasswordReset.mutate({ email });
    const token = await resetLink(h, email);
    // Only the token's hash is kept.
    const tokens = await h.db.db.select().from(emailTokens).where(eq(emailTokens.userId, user.id));
    expect(JSON.stringify(tokens)).not.toContain(token);

    const newPassword = "reset-to-this-passphrase-3";
    await expect(browser.trpc.auth.resetPassword.mutate({ token, password: newPassword })).resolves.toEqual({
      ok: true,
    });
    // Logged in on the browser that used the link; every earlier session is gone.
    expect((await browser.trpc.account.me.query())?.user.email).toBe(email);
    const after = await sessionIds(h, user.id);
    expect(after).toHaveLength(1);
    for (const id of before) expect(after).not.toContain(id);
    expect((await expectTrpcError(old.trpc.account.sessions.query())).data?.code).toBe("UNAUTHORIZED");
    expect((await expectTrpcError(other.trpc.account.sessions.query())).data?.code).toBe("UNAUTHORIZED");

    // The link works once.
    const hashAfterReset = (await userByEmail(h, email)).passwordHash;
    const reuse = await expectTrpcError(
      h
        .client({ ip: uniqueIp() })
        .trpc.auth.resetPassword.mutate({ token, password: "yet-another-passphrase-1" }),
    );
    expect(reuse.data?.httpStatus).toBe(400);
    expect(reuse.data?.appCode).toBe("INVALID_TOKEN");
    expect((await userByEmail(h, email)).passwordHash).toBe(hashAfterReset);

    const login = h.client({ ip: uniqueIp() });
    await expect(login.trpc.auth.login.mutate({ email, password: newPassword })).resolves.toEqual({
      ok: true,
    });
    expect((await expectTrpcError(login.trpc.auth.login.mutate({ email, password }))).data?.code).toBe(
      "UNAUTHORIZED",
    );
  });

  it("a used link fails without changing the password", async () => {
    const { email } = await signupVerified(h);
    const c = h.client({ ip: uniqueIp() });
    await c.trpc.auth.requestPasswordReset.mutate({ email });
    const token = await resetLink(h, email);
    await c.trpc.auth.resetPassword.mutate({ token, password: "first-reset-passphrase-1" });
    const hashAfterFirst = (await userByEmail(h, email)).passwordHash;
    const error = await expectTrpcError(
      c.trpc.auth.resetPassword.mutate({ token, password: "second-reset-passphrase-2" }),
    );
    expect(error.data?.appCode).toBe("INVALID_TOKEN");
    expect((await userByEmail(h, email)).passwordHash).toBe(hashAfterFirst);
  });

  it("a link expires after one hour", async () => {
    const { email, password } = await signupVerified(h);
    const c = h.client({ ip: uniqueIp() });
    await c.trpc.auth.requestPasswordReset.mutate({ email });
    const token = await resetLink(h, email);
    const hashBefore = (await userByEmail(h, email)).passwordHash;
    h.clock.advance(HOUR + 1000);
    const error = await expectTrpcError(
      c.trpc.auth.resetPassword.mutate({ token, password: "too-late-passphrase-5" }),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(error.message).toMatch(/expired/i);
    expect((await userByEmail(h, email)).passwordHash).toBe(hashBefore);
    await expect(h.client({ ip: uniqueIp() }).trpc.auth.login.mutate({ email, password })).resolves.toEqual({
      ok: true,
    });
  });

  it("a link still works just before the hour is up", async () => {
    const { email } = await signupVerified(h);
    const c = h.client({ ip: uniqueIp() });
    await c.trpc.auth.requestPasswordReset.mutate({ email });
    const token = await resetLink(h, email);
    h.clock.advance(HOUR - 60 * 1000);
    await expect(
      c.trpc.auth.resetPassword.mutate({ token, password: "just-in-time-passphrase-8" }),
    ).resolves.toEqual({
      ok: true,
    });
  });

  it("a newer link replaces the older one", async () => {
    const { email } = await signupVerified(h);
    const c = h.client({ ip: uniqueIp() });
    await c.trpc.auth.requestPasswordReset.mutate({ email });
    const first = await resetLink(h, email);
    await c.trpc.auth.requestPasswordReset.mutate({ email });
    const second = await resetLink(h, email);
    expect(second).not.toBe(first);
    expect(
      (
        await expectTrpcError(
          c.trpc.auth.resetPassword.mutate({ token: first, password: "older-link-passphrase-1" }),
        )
      ).data?.appCode,
    ).toBe("INVALID_TOKEN");
    await expect(
      c.trpc.auth.resetPassword.mutate({ token: second, password: "newer-link-passphrase-2" }),
    ).resolves.toEqual({ ok: true });
  });

  it("a password change ends the reset links mailed before it", async () => {
    const { client, email, password } = await signupVerified(h);
    const attacker = h.client({ ip: uniqueIp() });
    await attacker.trpc.auth.requestPasswordReset.mutate({ email });
    const token = await resetLink(h, email);
    const newPassword = "changed-after-the-link-9";
    await client.trpc.account.changePassword.mutate({ currentPassword: password, newPassword });
    const user = await userByEmail(h, email);
    const outstanding = await h.db.db.select().from(emailTokens).where(eq(emailTokens.userId, user.id));
    expect(outstanding.filter((t) => t.purpose === "reset_password" && t.usedAt === null)).toEqual([]);

    const error = await expectTrpcError(
      attacker.trpc.auth.resetPassword.mutate({ token, password: "attacker-chosen-pass-1" }),
    );
    expect(error.data?.appCode).toBe("INVALID_TOKEN");
    expect((await userByEmail(h, email)).passwordHash).toBe(user.passwordHash);
    await expect(
      h.client({ ip: uniqueIp() }).trpc.auth.login.mutate({ email, password: newPassword }),
    ).resolves.toEqual({ ok: true });
  });

  it("a reset ends every other reset link of the user", async () => {
    const { email } = await signupVerified(h);
    const user = await userByEmail(h, email);
    const c = h.client({ ip: uniqueIp() });
    await c.trpc.auth.requestPasswordReset.mutate({ email });
    const token = await resetLink(h, email);
    // A second link outstanding at the same time (two tabs, two requests racing).
    const { createHash, randomBytes } = await import("node:crypto");
    const other = randomBytes(32).toString("base64url");
    await h.db.db.insert(emailTokens).values({
      userId: user.id,
      purpose: "reset_password",
      tokenHash: createHash("sha256").update(other).digest("hex"),
      expiresAt: new Date(h.clock.now().getTime() + HOUR),
    });
    await c.trpc.auth.resetPassword.mutate({ token, password: "reset-once-passphrase-4" });
    const error = await expectTrpcError(
      h
        .client({ ip: uniqueIp() })
        .trpc.auth.resetPassword.mutate({ token: other, password: "second-link-pass-5" }),
    );
    expect(error.data?.appCode).toBe("INVALID_TOKEN");
  });

  it("an email-verification token is not a reset token", async () => {
    const email = uniqueEmail("crossed");
    const c = h.client({ ip: uniqueIp() });
    await c.trpc.auth.signup.mutate({
      name: "X",
      email,
      companyName: "X Co",
      websiteUrl: "x-co.com",
      phone: "202 555 0199",
      password: "crossed-purpose-pass-1",
      ageConfirmed: true,
    });
    const token = tokenFromEmail((await h.outbox(email))[0]!.text, "/verify-email");
    const error = await expectTrpcError(
      c.trpc.auth.resetPassword.mutate({ token, password: "crossed-purpose-pass-2" }),
    );
    expect(error.data?.appCode).toBe("INVALID_TOKEN");
  });
});
