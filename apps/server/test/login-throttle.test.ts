import { defaultLimits } from "@cac/trpc";
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

// Long enough that three argon2 checks fit in it on a loaded machine.
const WINDOW_SECONDS = 10;

describe("login", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: {
        "login.email": { points: 3, durationSeconds: WINDOW_SECONDS },
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

  it("throttles repeated failures per email with 429 and Retry-After, refuses the right password in the window, and lets it in after", async () => {
    const { email, password } = await signupVerified(h);
    // Each attempt from its own IP: this is the per-email policy.
    for (let i = 0; i < 3; i++) {
      const c = h.client({ ip: uniqueIp() });
      const error = await expectTrpcError(
        c.trpc.auth.login.mutate({ email, password: `wrong-password-${i}` }),
      );
      expect(error.data?.code).toBe("UNAUTHORIZED");
    }

    const c = h.client({ ip: uniqueIp() });
    const limited = await expectTrpcError(c.trpc.auth.login.mutate({ email, password: "wrong-again" }));
    expect(limited.data?.httpStatus).toBe(429);
    expect(limited.data?.code).toBe("TOO_MANY_REQUESTS");
    expect(limited.data?.appCode).toBe("RATE_LIMITED");
    expect(limited.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.message).toMatch(/too many attempts/i);

    // The raw HTTP answer carries the status and Retry-After header too.
    const raw = await rawTrpc(h, "auth.login", {
      input: { email, password },
      headers: { "x-forwarded-for": uniqueIp() },
    });
    expect(raw.status).toBe(429);
    const retryAfter = Number(raw.headers.get("retry-after"));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(raw.headers.get("set-cookie")).toBeNull();

    // The right password is refused during the window too.
    const during = await expectTrpcError(c.trpc.auth.login.mutate({ email, password }));
    expect(during.data?.httpStatus).toBe(429);
    expect(c.jar.size).toBe(0);

    // Wait out what is left of the window, as a client honouring Retry-After would.
    await new Promise((resolve) =>
      setTimeout(resolve, (during.data?.retryAfterSeconds ?? WINDOW_SECONDS) * 1000 + 300),
    );
    await expect(c.trpc.auth.login.mutate({ email, password })).resolves.toEqual({ ok: true });
    expect((await c.trpc.account.me.query())?.user.email).toBe(email);
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

  it("counts an email's attempts the same whatever its case or spacing", async () => {
    const email = uniqueEmail("case");
    const variants = [email, email.toUpperCase(), `  ${email} `];
    for (const variant of variants) {
      const c = h.client({ ip: uniqueIp() });
      await expectTrpcError(c.trpc.auth.login.mutate({ email: variant, password: "whatever-password" }));
    }
    const c = h.client({ ip: uniqueIp() });
    const limited = await expectTrpcError(c.trpc.auth.login.mutate({ email, password: "whatever-password" }));
    expect(limited.data?.httpStatus).toBe(429);
  });
});
