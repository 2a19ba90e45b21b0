/**
 * An account nobody confirmed may be a squat on someone else's email: until its owner confirms,
 * its buttons are in test mode. They work from the portal's own origin (PUBLIC_URL) and are
 * refused on customers' sites with ACCOUNT_UNVERIFIED, in the widget procedures and the public
 * config alike. Confirming the email puts them live at once.
 */
import { users } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  startHarness,
  type TestClient,
  tokenFromEmail,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";

const SHOP = "https://shop.test";

describe("buttons of an unconfirmed account are in test mode", () => {
  let h: Harness;
  let owner: TestClient;
  let email: string;
  let publicId: string;
  beforeAll(async () => {
    h = await startHarness({ limits: { "signup.ip": LIFTED }, build: { jobs: false } });
    email = uniqueEmail("squatter");
    owner = h.client({ ip: uniqueIp() });
    // Signed up and logged in, but the emailed link is not opened yet.
    await owner.trpc.auth.signup.mutate({ ...validSignup, email });
    // The account is created by the email queue's worker, just after the answer.
    await h.flushEmail();
    await owner.trpc.auth.login.mutate({ email, password: validSignup.password });
    publicId = (await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }))).publicId;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const config = (origin?: string) =>
    fetch(`${h.url}/widget/config/${publicId}`, { headers: origin ? { origin } : {} });
  const requestFrom = (origin: string) =>
    h.client({ origin, ip: uniqueIp() }).trpc.widget.requestCallback.mutate({
      button: publicId,
      name: "Val Visitor",
      phone: "(202) 555-0188",
    });
  const callFrom = (origin: string) =>
    h.client({ origin, ip: uniqueIp() }).trpc.calls.start.mutate({ button: publicId });

  it("the portal says the account is unconfirmed", async () => {
    expect((await owner.trpc.account.me.query())?.account.verified).toBe(false);
  });

  it("refuses calls and callback requests from a customer's site with ACCOUNT_UNVERIFIED", async () => {
    // One at a time: a request started before its turn would reject unobserved meanwhile.
    for (const attempt of [() => callFrom(SHOP), () => requestFrom(SHOP)]) {
      const error = await expectTrpcError(attempt());
      expect(error.data?.appCode).toBe("ACCOUNT_UNVERIFIED");
      expect(error.data?.httpStatus).toBe(403);
      expect(error.message).toMatch(/test mode until its owner confirms their email address/);
    }
    // Not even from localhost, which development otherwise allows for any button.
    const local = await expectTrpcError(requestFrom("http://localhost:5173"));
    expect(local.data?.appCode).toBe("ACCOUNT_UNVERIFIED");
  });

  it("refuses the public config on a customer's site, saying why (the widget passes it on)", async () => {
    const res = await config(SHOP);
    expect(res.status).toBe(403);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({
      error: "This call button is in test mode until its owner confirms their email address.",
      host: "shop.test",
      reason: "unverified",
    });
  });

  it("works from the portal's own origin: its config, a callback request, and a call past the guards", async () => {
    expect((await config(h.portalOrigin)).status).toBe(200);
    expect((await config()).status).toBe(200);
    expect(await requestFrom(h.portalOrigin)).toEqual({ ok: true });
    // The call reaches the call's own checks: nobody has the phone panel open.
    const call = await expectTrpcError(callFrom(h.portalOrigin));
    expect(call.data?.appCode).toBe("NO_AGENT_AVAILABLE");
  });

  it("goes live on customers' sites once the owner confirms the email", async () => {
    const mail = (await h.outbox(email)).findLast((m) => m.text.includes("/verify-email?token="));
    await owner.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(mail?.text ?? "", "/verify-email") });
    const [user] = await h.db.db.select().from(users).where(eq(users.email, email));
    expect(user?.emailVerifiedAt).not.toBeNull();
    expect((await owner.trpc.account.me.query())?.account.verified).toBe(true);
    expect((await config(SHOP)).status).toBe(200);
    expect(await requestFrom(SHOP)).toEqual({ ok: true });
    // Still only on its allowed domains.
    expect((await expectTrpcError(requestFrom("https://evil.test"))).data?.appCode).toBe(
      "ORIGIN_NOT_ALLOWED",
    );
  });
});
