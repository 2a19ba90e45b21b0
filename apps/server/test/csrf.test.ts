import { accounts } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countRows,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  signupVerified,
  startHarness,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";

/**
 * A cross-site attacker can make the victim's browser post a form or text/plain body with
 * cookies attached and no preflight; with JSON required and Origin checked, nothing happens.
 */
describe("CSRF guard on mutations", () => {
  let h: Harness;
  let victim: Awaited<ReturnType<typeof signupVerified>>;
  let cookie: string;

  beforeAll(async () => {
    h = await startHarness({ limits: { "signup.ip": { points: 1000, durationSeconds: 60 } } });
    victim = await signupVerified(h);
    cookie = `cac_session=${victim.client.jar.get("cac_session")}`;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function snapshot() {
    const user = await memberByEmail(h.db.db, victim.email);
    const [account] = await h.db.db.select().from(accounts).where(eq(accounts.id, user.accountId));
    return {
      users: await countRows(h, "users"),
      accounts: await countRows(h, "accounts"),
      sessions: await countRows(h, "auth_sessions"),
      outbox: await countRows(h, "outbox_messages"),
      queue: await countRows(h, "email_queue"),
      tokens: await countRows(h, "email_tokens"),
      user,
      account,
    };
  }

  const envelope = (input: unknown) => JSON.stringify({ json: input });
  const mutations = () => [
    { path: "auth.signup", body: envelope({ ...validSignup, email: uniqueEmail("csrf") }) },
    { path: "account.updateProfile", body: envelope({ name: "Pwned", companyName: "Pwned Inc" }) },
    { path: "auth.logout", body: "" },
    { path: "account.revokeOtherSessions", body: "" },
    { path: "auth.requestPasswordReset", body: envelope({ email: victim.email }) },
  ];

  const simpleContentTypes = [
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
  ];

  it.each(simpleContentTypes)(
    "refuses a mutation posted as %s (400/415) and writes nothing",
    async (contentType) => {
      for (const { path, body } of mutations()) {
        const before = await snapshot();
        const formBody = contentType.startsWith("application/x-www-form-urlencoded")
          ? `json=${encodeURIComponent(body)}`
          : contentType.startsWith("multipart")
            ? `--xyz\r\nContent-Disposition: form-data; name="json"\r\n\r\n${body}\r\n--xyz--\r\n`
            : body;
        const res = await rawTrpc(h, path, {
          rawBody: formBody,
          headers: { "content-type": contentType, cookie, "x-forwarded-for": uniqueIp() },
        });
        expect([400, 415], `${path}: ${res.status} ${res.text}`).toContain(res.status);
        expect(await snapshot(), path).toEqual(before);
      }
    },
  );

  it("refuses a mutation from a foreign Origin with 403 and writes nothing", async () => {
    for (const origin of [
      "https://evil.example",
      "http://localhost.evil.example",
      "null",
      `${h.portalOrigin}.evil.example`,
    ]) {
      for (const { path, body } of mutations()) {
        const before = await snapshot();
        const res = await rawTrpc(h, path, {
          rawBody: body || undefined,
          headers: { origin, cookie, "content-type": "application/json", "x-forwarded-for": uniqueIp() },
        });
        expect(res.status, `${path} from ${origin}: ${res.text}`).toBe(403);
        expect(await snapshot(), path).toEqual(before);
      }
    }
  });

  it("refuses a mutation with no Origin with 403 and writes nothing", async () => {
    for (const { path, body } of mutations()) {
      const before = await snapshot();
      const res = await fetch(`${h.url}/trpc/${path}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", "x-forwarded-for": uniqueIp() },
        body: body || undefined,
      });
      expect(res.status, path).toBe(403);
      expect(await snapshot(), path).toEqual(before);
    }
  });

  it("refuses a mutation sent as GET", async () => {
    const before = await snapshot();
    const res = await rawTrpc(h, "auth.logout", { method: "GET", headers: { cookie } });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(await snapshot()).toEqual(before);
  });

  it("still accepts the portal's own JSON mutation, with or without a charset", async () => {
    const res = await rawTrpc(h, "account.updateProfile", {
      input: { name: "Dana Renamed" },
      headers: { cookie, "content-type": "application/json; charset=utf-8" },
    });
    expect(res.status, res.text).toBe(200);
    expect((await victim.client.trpc.account.me.query())?.user.name).toBe("Dana Renamed");
  });

  it("a batch that starts with a widget procedure smuggles no portal mutation through", async () => {
    const before = await snapshot();
    for (const contentType of ["text/plain", "application/json"]) {
      const res = await fetch(`${h.url}/trpc/widget.requestCallback,account.updateProfile?batch=1`, {
        method: "POST",
        headers: {
          origin: "http://localhost:5173",
          cookie,
          "content-type": contentType,
          "x-forwarded-for": uniqueIp(),
        },
        body: JSON.stringify({ 0: { json: { button: "b_nope" } }, 1: { json: { name: "Pwned" } } }),
      });
      expect(res.headers.get("access-control-allow-credentials")).toBeNull();
      const body = await res.json();
      // Either the whole batch is refused, or each call in it is.
      const results = Array.isArray(body) ? body : [body];
      for (const result of results) expect(result.error, JSON.stringify(result)).toBeDefined();
      if (Array.isArray(body)) expect(body[1].error.json.data.code).toBe("FORBIDDEN");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a batch that starts with a widget procedure lets no foreign site read the portal's answers", async () => {
    const res = await fetch(
      `${h.url}/trpc/widget.requestCallback,account.me,account.sessions?batch=1&input=${encodeURIComponent("{}")}`,
      { headers: { origin: "https://evil.example", cookie } },
    );
    // Browsers only expose a credentialed cross-origin answer with Allow-Credentials: true.
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("lets cross-origin queries run but never hands out cookies to them (no CORS headers)", async () => {
    const res = await rawTrpc(h, "account.me", {
      method: "GET",
      headers: { origin: "https://evil.example", cookie },
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });
});
