import { accounts, users } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countRows,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  startHarness,
  tokenFromEmail,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";

describe("signup", () => {
  let h: Harness;
  beforeAll(async () => {
    // Many signups from one suite: the per-IP policy is not what this file tests.
    h = await startHarness({ limits: { "signup.ip": { points: 1000, durationSeconds: 60 } } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const badFields: Array<[string, string, Record<string, unknown>, RegExp]> = [
    ["a bad email", "email", { email: "not-an-email" }, /valid email/i],
    ["a non-US phone", "phone", { phone: "+44 20 7946 0958" }, /US phone/i],
    ["a malformed phone", "phone", { phone: "12-ab" }, /US phone/i],
    ["a short password", "password", { password: "short1" }, /at least 10/i],
    ["a common password", "password", { password: "password123" }, /too common/i],
    ["age not confirmed (false)", "ageConfirmed", { ageConfirmed: false }, /18 or older/i],
    ["age not confirmed (absent)", "ageConfirmed", { ageConfirmed: undefined }, /18 or older/i],
    ["a bad website URL", "websiteUrl", { websiteUrl: "not a website" }, /valid website/i],
    ["a javascript: website URL", "websiteUrl", { websiteUrl: "javascript:alert(1)" }, /valid website/i],
  ];

  it.each(badFields)("refuses %s with a message on that field", async (_label, field, patch, message) => {
    const before = await countRows(h, "users");
    const c = h.client({ ip: uniqueIp() });
    const input = { ...validSignup, email: uniqueEmail("bad"), ...patch } as typeof validSignup & {
      email: string;
    };
    const error = await expectTrpcError(c.trpc.auth.signup.mutate(input));
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.code).toBe("BAD_REQUEST");
    const messages = (error.data?.fieldErrors as Record<string, string[]> | null)?.[field];
    expect(messages?.join(" ")).toMatch(message);
    expect(await countRows(h, "users")).toBe(before);
  });

  it.each([
    ["garbage JSON", "{not json"],
    ["a JSON null", "null"],
    ["a JSON array", "[1,2]"],
    ["a bare string", '"hello"'],
    ["a missing superjson envelope", JSON.stringify({ email: "x@example.test" })],
    [
      "wrong types",
      JSON.stringify({ json: { ...validSignup, email: 42, phone: ["x"], ageConfirmed: "yes" } }),
    ],
    ["an empty object", JSON.stringify({ json: {} })],
    ["broken superjson meta", JSON.stringify({ json: { a: 1 }, meta: { values: { a: ["nope"] } } })],
    ["broken superjson meta (not an object)", JSON.stringify({ json: {}, meta: 5 })],
  ])("answers %s with 400, never 500", async (_label, rawBody) => {
    const before = await countRows(h, "users");
    const res = await rawTrpc(h, "auth.signup", { rawBody, headers: { "x-forwarded-for": uniqueIp() } });
    expect(res.status, res.text).toBe(400);
    expect(await countRows(h, "users")).toBe(before);
  });

  it("answers a missing body with 400", async () => {
    const withType = await rawTrpc(h, "auth.signup", { headers: { "content-type": "application/json" } });
    expect(withType.status, withType.text).toBe(400);
    const withoutType = await rawTrpc(h, "auth.signup", {});
    expect([400, 415]).toContain(withoutType.status);
  });

  it("creates the account, normalizes the phone to E.164 and the website to a URL, and emails a link", async () => {
    const email = uniqueEmail("new");
    const c = h.client({ ip: uniqueIp() });
    const res = await c.trpc.auth.signup.mutate({
      ...validSignup,
      email: `  ${email.toUpperCase()} `,
      phone: "202.555.0143",
    });
    expect(res.message).toMatch(/check your inbox/i);
    // The account is created after the answer, by the email queue's worker.
    await h.flushEmail();
    const [user] = await h.db.db.select().from(users).where(eq(users.email, email));
    expect(user).toBeDefined();
    const member = await memberByEmail(h.db.db, email);
    expect(member.role).toBe("owner");
    expect(user!.emailVerifiedAt).toBeNull();
    expect(user!.ageConfirmedAt).toBeInstanceOf(Date);
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [account] = await h.db.db.select().from(accounts).where(eq(accounts.id, member.accountId));
    expect(account!.phone).toBe("+12025550143");
    expect(account!.websiteUrl).toBe("https://acme-plumbing.com/");
    const mails = await h.outbox(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain("/verify-email?token=");
    // Signing up does not log in: the session starts from the emailed link.
    expect(c.jar.size).toBe(0);
  });

  it("answers a taken email exactly like a new one, creates nothing, and emails the owner a notice", async () => {
    const email = uniqueEmail("taken");
    const first = await rawTrpc(h, "auth.signup", {
      input: { ...validSignup, email },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    expect(first.status).toBe(200);
    await h.flushEmail();
    const usersBefore = await countRows(h, "users");
    const accountsBefore = await countRows(h, "accounts");

    const fresh = await rawTrpc(h, "auth.signup", {
      input: { ...validSignup, email: uniqueEmail("fresh") },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    const again = await rawTrpc(h, "auth.signup", {
      input: { ...validSignup, email: email.toUpperCase(), companyName: "Someone Else Inc" },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    expect(again.status).toBe(fresh.status);
    expect(again.text).toBe(fresh.text);
    expect(again.headers.get("set-cookie")).toBe(fresh.headers.get("set-cookie"));

    await h.flushEmail();
    // One new user and account: the fresh one. The taken email got no second account.
    expect(await countRows(h, "users")).toBe(usersBefore + 1);
    expect(await countRows(h, "accounts")).toBe(accountsBefore + 1);
    const owners = await h.db.db.select().from(users).where(eq(users.email, email));
    expect(owners).toHaveLength(1);

    const mails = await h.outbox(email);
    expect(mails).toHaveLength(2);
    const notice = mails[1]!;
    expect(notice.subject).toMatch(/tried to sign up/i);
    expect(notice.text).not.toContain("token=");
    expect(notice.text).toContain("/forgot-password");
  });

  it("throttles signups for one email from many IPs, so an address cannot be flooded with mail", async () => {
    const email = uniqueEmail("flood");
    for (let i = 0; i < 3; i++) {
      const ok = await rawTrpc(h, "auth.signup", {
        input: { ...validSignup, email },
        headers: { "x-forwarded-for": uniqueIp() },
      });
      expect(ok.status).toBe(200);
    }
    const limited = await rawTrpc(h, "auth.signup", {
      input: { ...validSignup, email },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await h.outbox(email)).toHaveLength(3);
  });

  describe("email verification", () => {
    it("works once, logs in, and a reused link gives a clear 400", async () => {
      const email = uniqueEmail("verify");
      const c = h.client({ ip: uniqueIp() });
      await c.trpc.auth.signup.mutate({ ...validSignup, email });
      const token = tokenFromEmail((await h.outbox(email))[0]!.text, "/verify-email");

      expect(await c.trpc.account.me.query()).toBeNull();
      await expect(c.trpc.auth.verifyEmail.mutate({ token })).resolves.toEqual({ verified: true });
      const me = await c.trpc.account.me.query();
      expect(me?.user.email).toBe(email);
      expect(me?.user.emailVerified).toBe(true);

      const other = h.client({ ip: uniqueIp() });
      const error = await expectTrpcError(other.trpc.auth.verifyEmail.mutate({ token }));
      expect(error.data?.httpStatus).toBe(400);
      expect(error.data?.appCode).toBe("INVALID_TOKEN");
      expect(error.message).toMatch(/invalid or has expired/i);
      expect(other.jar.size).toBe(0);
    });

    it("refuses an unknown token with a clear 400", async () => {
      const c = h.client({ ip: uniqueIp() });
      const error = await expectTrpcError(c.trpc.auth.verifyEmail.mutate({ token: "x".repeat(43) }));
      expect(error.data?.httpStatus).toBe(400);
      expect(error.message).toMatch(/confirmation link is invalid/i);
      const short = await expectTrpcError(c.trpc.auth.verifyEmail.mutate({ token: "abc" }));
      expect(short.data?.httpStatus).toBe(400);
      expect((short.data?.fieldErrors as Record<string, string[]> | null | undefined)?.token?.[0]).toMatch(
        /incomplete/i,
      );
    });

    it("refuses a link after 24 hours", async () => {
      const email = uniqueEmail("late");
      const c = h.client({ ip: uniqueIp() });
      await c.trpc.auth.signup.mutate({ ...validSignup, email });
      const token = tokenFromEmail((await h.outbox(email))[0]!.text, "/verify-email");
      h.clock.advance(24 * 60 * 60 * 1000 + 1000);
      const error = await expectTrpcError(c.trpc.auth.verifyEmail.mutate({ token }));
      expect(error.data?.appCode).toBe("INVALID_TOKEN");
    });
  });
});
