import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness, tokenFromEmail, validSignup } from "./harness";

describe("signup to dashboard over HTTP", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h.close(), HARNESS_TIMEOUT_MS);

  it("signs up, verifies by the emailed link, and sees itself", async () => {
    const c = h.client();
    const res = await c.trpc.auth.signup.mutate({ ...validSignup, email: "dana@acme.test" });
    expect(res.message).toMatch(/check your inbox/i);
    const [mail] = await h.outbox("dana@acme.test");
    await c.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(mail!.text, "/verify-email") });
    const me = await c.trpc.account.me.query();
    expect(me?.user.email).toBe("dana@acme.test");
    expect(me?.account.phone).toBe("+12025550143");
    expect(me?.user.emailVerified).toBe(true);
  });

  it("answers /healthz after a database round trip", async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });
});
