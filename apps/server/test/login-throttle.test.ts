import { defaultLimits } from "@cac/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  signupVerified,
  startHarness,
  uniqueEmail,
  uniqueIp,
} from "./harness";

// Long enough that three argon2 checks fit in it on a loaded machine (the per IP and account window).
const WINDOW_SECONDS = 10;

describe("login", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: {
        "login.ip_email": { points: 3, durationSeconds: WINDOW_SECONDS },
        "login.email": { points: 4, durationSeconds: 60 },
        "login.ip": { points: 4, durationSeconds: 60 },
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("logs in with the right password and starts a session", async () => {
    const { email, password } = await signupVerified(h);
    const c = h.client({ ip: uniqueIp() });
    await expect(c.trpc.auth.login.mutate({ email: email.toUpperCase(), password })).resolves.toEqual({
      ok: true,
    });
    expect((await c.trpc.account.me.query())?.user.email).toBe(email);
  });

  it("answers a wrong password and an unknown email with the same status, code and message", async () => {
    const { email } = await signupVerified(h);
    const wrong = await rawTrpc(h, "auth.login", {
      input: { email, password: "not-the-password" },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    const unknown = await rawTrpc(h, "auth.login", {
      input: { email: uniqueEmail("nobody"), password: "not-the-password" },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.json.error.json.message).toBe(wrong.json.error.json.message);
    expect(unknown.json.error.json.data.code).toBe(wrong.json.error.json.data.code);
    expect(unknown.json.error.json.data.appCode).toBe(wrong.json.error.json.data.appCode);
    expect(wrong.json.error.json.message).toMatch(/email or password is incorrect/i);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("refuses the guessing IP for that account with 429 and Retry-After, even with the right password; the owner elsewhere logs in", async () => {
    const { email, password } = await signupVerified(h);
    const attacker = h.client({ ip: uniqueIp() });
    for (let i = 0; i < 3; i++) {
      const error = await expectTrpcError(
        attacker.trpc.auth.login.mutate({ email, password: `wrong-password-${i}` }),
      );
      expect(error.data?.code).toBe("UNAUTHORIZED");
    }

    const limited = await expectTrpcError(
      attacker.trpc.auth.login.mutate({ email, password: "wrong-again" }),
    );
    expect(limited.data?.httpStatus).toBe(429);
    expect(limited.data?.code).toBe("TOO_MANY_REQUESTS");
    expect(limited.data?.appCode).toBe("RATE_LIMITED");
    expect(limited.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.message).toMatch(/too many attempts/i);
    // The attacker's IP is refused for this account whatever the password.
    const during = await expectTrpcError(attacker.trpc.auth.login.mutate({ email, password }));
    expect(during.data?.httpStatus).toBe(429);
    expect(attacker.jar.size).toBe(0);

    // The raw HTTP answer carries the status and the Retry-After header.
    const attackerIp = uniqueIp();
    for (let i = 0; i < 3; i++) {
      await rawTrpc(h, "auth.login", {
        input: { email, password: "nope-nope-nope" },
        headers: { "x-forwarded-for": attackerIp },
      });
    }
    const raw = await rawTrpc(h, "auth.login", {
      input: { email, password },
      headers: { "x-forwarded-for": attackerIp },
    });
    expect(raw.status).toBe(429);
    const retryAfter = Number(raw.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(raw.headers.get("set-cookie")).toBeNull();

    // Six wrong guesses on the account so far: the owner, from their own IP, is slowed, not refused.
    const owner = h.client({ ip: uniqueIp() });
    await expect(owner.trpc.auth.login.mutate({ email, password })).resolves.toEqual({ ok: true });
    expect((await owner.trpc.account.me.query())?.user.email).toBe(email);
  });

  it("does not let guesses at the login form block changing the password or closing the account", async () => {
    const { client, email, password } = await signupVerified(h);
    // Past the per-account threshold (4), each from an IP of its own.
    for (let i = 0; i < 5; i++) {
      await expectTrpcError(
        h.client({ ip: uniqueIp() }).trpc.auth.login.mutate({ email, password: `guess-${i}-xxxx` }),
      );
    }
    const newPassword = "owner-changes-it-now-1";
    await expect(
      client.trpc.account.changePassword.mutate({ currentPassword: password, newPassword }),
    ).resolves.toEqual({ ok: true });
    await expect(client.trpc.account.close.mutate({ password: newPassword })).resolves.toMatchObject({
      status: "closed",
    });
  });

  it("throttles password guesses through a session (changing the password, closing the account)", async () => {
    const { client, password } = await signupVerified(h);
    const { points } = defaultLimits["password.session"];
    for (let i = 0; i < points; i++) {
      const wrong = `not-my-password-${i}`;
      const error = await expectTrpcError(
        i % 2 === 0
          ? client.trpc.account.changePassword.mutate({
              currentPassword: wrong,
              newPassword: "whatever-new-pass-1",
            })
          : client.trpc.account.close.mutate({ password: wrong }),
      );
      expect(error.data?.appCode).toBe("WRONG_PASSWORD");
    }
    const limited = await expectTrpcError(
      client.trpc.account.changePassword.mutate({
        currentPassword: password,
        newPassword: "whatever-new-pass-1",
      }),
    );
    expect(limited.data?.httpStatus).toBe(429);
  });

  it("throttles per IP across different emails", async () => {
    const ip = uniqueIp();
    const c = h.client({ ip });
    for (let i = 0; i < 4; i++) {
      const error = await expectTrpcError(
        c.trpc.auth.login.mutate({ email: uniqueEmail("spray"), password: "whatever-password" }),
      );
      expect(error.data?.code).toBe("UNAUTHORIZED");
    }
    const limited = await expectTrpcError(
      c.trpc.auth.login.mutate({ email: uniqueEmail("spray"), password: "whatever-password" }),
    );
    expect(limited.data?.httpStatus).toBe(429);
    // Another IP is not affected.
    const other = h.client({ ip: uniqueIp() });
    const error = await expectTrpcError(
      other.trpc.auth.login.mutate({ email: uniqueEmail("spray"), password: "whatever-password" }),
    );
    expect(error.data?.code).toBe("UNAUTHORIZED");
  });

  it("throttles setting a password from a reset link per IP (each try costs a password hash)", async () => {
    const c = h.client({ ip: uniqueIp() });
    const { points } = defaultLimits["reset.ip"];
    for (let i = 0; i < points; i++) {
      const error = await expectTrpcError(
        c.trpc.auth.resetPassword.mutate({
          token: `not-a-real-token-${i}-xxxxxxxx`,
          password: "guessing-passphrase-1",
        }),
      );
      expect(error.data?.appCode).toBe("INVALID_TOKEN");
    }
    const limited = await expectTrpcError(
      c.trpc.auth.resetPassword.mutate({
        token: "not-a-real-token-last-xxxxxxxx",
        password: "guessing-passphrase-1",
      }),
    );
    expect(limited.data?.httpStatus).toBe(429);
    expect(limited.data?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it("counts an email's attempts from one IP the same whatever its case or spacing", async () => {
    const email = uniqueEmail("case");
    const c = h.client({ ip: uniqueIp() });
    for (const variant of [email, email.toUpperCase(), `  ${email} `]) {
      await expectTrpcError(c.trpc.auth.login.mutate({ email: variant, password: "whatever-password" }));
    }
    const limited = await expectTrpcError(c.trpc.auth.login.mutate({ email, password: "whatever-password" }));
    expect(limited.data?.httpStatus).toBe(429);
  });
});
