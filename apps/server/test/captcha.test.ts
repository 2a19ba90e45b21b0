/**
 * Cloudflare Turnstile on signup, the contact form and call starts, against a local stand-in for
 * siteverify: each is refused without a token, with a token siteverify rejects, with one solved on
 * another host or for another form, and with a spent one, creating nothing; a good token passes,
 * and siteverify was asked with our secret, the token and the person's IP. An unreachable
 * siteverify refuses (fails closed) and says so.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultLimits, type Logger } from "@cac/core";
import { callSessions, contactMessages, users } from "@cac/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTurnstileCaptcha, isTestSecretKey } from "../src/adapters/turnstile-captcha";
import { collect, withSubscriptions } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  countRows,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  startHarness,
  type TestClient,
  tokenFromEmail,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";
import { startTurnstileStandIn, type TurnstileStandIn } from "./turnstile-stand-in";

const SITE_KEY = "0x4AAAAAAAtest-site-key";
const SECRET = "0x4AAAAAAAtest-secret-key";
const SHOP = "https://shop.test";
const generous = { points: 1000, durationSeconds: 60 };

const contactInput = {
  name: "Sam Buyer",
  company: "Buyer Co",
  website: "buyer.example",
  message: "Do you support Spanish-speaking agents?",
};

async function countContactMessages(h: Harness) {
  return (await h.db.db.select({ id: contactMessages.id }).from(contactMessages)).length;
}

async function countCalls(h: Harness) {
  return (await h.db.db.select({ id: callSessions.id }).from(callSessions)).length;
}

describe("Turnstile captcha", () => {
  let siteverify: TurnstileStandIn;
  let h: Harness;
  let portalHost: string;
  beforeAll(async () => {
    siteverify = await startTurnstileStandIn(SECRET);
    h = await startHarness({
      env: {
        TURNSTILE_SITE_KEY: SITE_KEY,
        TURNSTILE_SECRET_KEY: SECRET,
        TURNSTILE_VERIFY_URL: siteverify.url,
      },
      limits: {
        "signup.ip": generous,
        "contact.ip": generous,
        "contact.email": generous,
        "call.ip": generous,
      },
    });
    portalHost = new URL(h.portalOrigin).hostname;
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
    await siteverify?.close();
  }, HARNESS_TIMEOUT_MS);

  /** Each way a token can be wrong, and the words the person reads. */
  function refusals(action: string, host: () => string) {
    return [
      ["no token", () => undefined, /complete the verification check/i],
      ["a token siteverify rejects", () => "forged-token", /couldn't verify/i],
      [
        "a token solved on another site",
        () => siteverify.issue({ hostname: "evil.test", action }),
        /couldn't verify/i,
      ],
      [
        "a token solved for another form",
        () => siteverify.issue({ hostname: host(), action: action === "contact" ? "signup" : "contact" }),
        /couldn't verify/i,
      ],
    ] as const;
  }

  /** Asserts the last siteverify request carried our secret, the token and the person's IP. */
  function expectVerified(token: string, ip: string) {
    const request = siteverify.requests.at(-1);
    expect(request?.contentType).toContain("application/x-www-form-urlencoded");
    expect(request?.form).toMatchObject({ secret: SECRET, response: token, remoteip: ip });
    expect(request?.form.idempotency_key).toMatch(/^[0-9a-f-]{36}$/);
  }

  it("tells the browser the site key and allows Cloudflare's script and frame in the portal CSP", async () => {
    const info = await h.client().trpc.system.info.query();
    expect(info.captchaSiteKey).toBe(SITE_KEY);
    const page = await fetch(`${h.url}/login`);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' https:\/\/challenges\.cloudflare\.com/);
    expect(csp).toMatch(/frame-src 'self' https:\/\/challenges\.cloudflare\.com/);
  });

  describe("signup", () => {
    it.each(refusals("signup", () => portalHost))(
      "is refused with %s, creating nothing",
      async (_l, token, message) => {
        const before = { users: await countRows(h, "users"), mails: await countRows(h, "outbox_messages") };
        const c = h.client({ ip: uniqueIp() });
        const error = await expectTrpcError(
          c.trpc.auth.signup.mutate({ ...validSignup, email: uniqueEmail("cap"), captchaToken: token() }),
        );
        expect(error.data?.appCode).toBe("CAPTCHA_FAILED");
        expect(error.data?.httpStatus).toBe(403);
        expect(error.message).toMatch(message);
        expect(await countRows(h, "users")).toBe(before.users);
        expect(await countRows(h, "outbox_messages")).toBe(before.mails);
      },
    );

    it("is accepted with a good token, checked once with our secret and the person's IP", async () => {
      const ip = uniqueIp();
      const email = uniqueEmail("cap-ok");
      const token = siteverify.issue({ hostname: portalHost, action: "signup" });
      const c = h.client({ ip });
      await c.trpc.auth.signup.mutate({ ...validSignup, email, captchaToken: token });
      expectVerified(token, ip);
      await h.flushEmail();
      expect(await h.db.db.select().from(users)).toEqual(
        expect.arrayContaining([expect.objectContaining({ email })]),
      );
      // The same token again is spent: refused, with a clear "do it again".
      const replay = await expectTrpcError(
        c.trpc.auth.signup.mutate({ ...validSignup, email: uniqueEmail("cap-re"), captchaToken: token }),
      );
      expect(replay.data?.appCode).toBe("CAPTCHA_FAILED");
      expect(replay.message).toMatch(/expired/i);
    });
  });

  describe("contact form", () => {
    it.each(refusals("contact", () => portalHost))(
      "is refused with %s, storing nothing",
      async (_l, token, message) => {
        const before = {
          stored: await countContactMessages(h),
          mails: await countRows(h, "outbox_messages"),
        };
        const error = await expectTrpcError(
          h
            .client({ ip: uniqueIp() })
            .trpc.contact.send.mutate({ ...contactInput, email: uniqueEmail("c"), captchaToken: token() }),
        );
        expect(error.data?.appCode).toBe("CAPTCHA_FAILED");
        expect(error.message).toMatch(message);
        expect(await countContactMessages(h)).toBe(before.stored);
        expect(await countRows(h, "outbox_messages")).toBe(before.mails);
      },
    );

    it("is accepted with a good token", async () => {
      const ip = uniqueIp();
      const token = siteverify.issue({ hostname: portalHost, action: "contact" });
      const before = await countContactMessages(h);
      const email = uniqueEmail("c-ok");
      const result = await h
        .client({ ip })
        .trpc.contact.send.mutate({ ...contactInput, email, captchaToken: token });
      expect(result).toEqual({ ok: true, email });
      expectVerified(token, ip);
      expect(await countContactMessages(h)).toBe(before + 1);
    });
  });

  describe("login", () => {
    const password = validSignup.password;
    /** An owner signed up (through the captcha) and confirmed. */
    async function owner() {
      const email = uniqueEmail("cap-login");
      const c = h.client({ ip: uniqueIp() });
      await c.trpc.auth.signup.mutate({
        ...validSignup,
        email,
        captchaToken: siteverify.issue({ hostname: portalHost, action: "signup" }),
      });
      const mail = (await h.outbox(email)).findLast((m) => m.text.includes("/verify-email?token="));
      await c.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(mail?.text ?? "", "/verify-email") });
      return email;
    }

    it("asks nothing of a login below the account's threshold", async () => {
      const email = await owner();
      const asked = siteverify.requests.length;
      await expect(h.client({ ip: uniqueIp() }).trpc.auth.login.mutate({ email, password })).resolves.toEqual(
        {
          ok: true,
        },
      );
      expect(siteverify.requests.length).toBe(asked);
    });

    it("past the account's threshold asks for the check instead of refusing the right password", async () => {
      const email = await owner();
      const attacker = h.client({ ip: uniqueIp() });
      for (let i = 0; i < defaultLimits["login.email"].points; i++) {
        const error = await expectTrpcError(
          attacker.trpc.auth.login.mutate({ email, password: `guess-${i}-xx` }),
        );
        expect(error.data?.code).toBe("UNAUTHORIZED");
      }

      // The owner, from another IP and without a token: asked for the check, not locked out.
      const ownerBrowser = h.client({ ip: uniqueIp() });
      const asked = await expectTrpcError(ownerBrowser.trpc.auth.login.mutate({ email, password }));
      expect(asked.data?.appCode).toBe("CAPTCHA_FAILED");
      expect(asked.data?.httpStatus).toBe(403);
      expect(asked.message).toMatch(/complete the verification check/i);
      expect(ownerBrowser.jar.size).toBe(0);
      const otherForm = siteverify.issue({ hostname: portalHost, action: "signup" });
      const mismatched = await expectTrpcError(
        ownerBrowser.trpc.auth.login.mutate({ email, password, captchaToken: otherForm }),
      );
      expect(mismatched.data?.appCode).toBe("CAPTCHA_FAILED");

      const ip = uniqueIp();
      const token = siteverify.issue({ hostname: portalHost, action: "login" });
      const solved = h.client({ ip });
      await expect(solved.trpc.auth.login.mutate({ email, password, captchaToken: token })).resolves.toEqual({
        ok: true,
      });
      expectVerified(token, ip);
      expect((await solved.trpc.account.me.query())?.user.email).toBe(email);

      // A solved check does not make a wrong password right.
      const guess = await expectTrpcError(
        attacker.trpc.auth.login.mutate({
          email,
          password: "still-wrong-xx",
          captchaToken: siteverify.issue({ hostname: portalHost, action: "login" }),
        }),
      );
      expect(guess.data?.code).toBe("UNAUTHORIZED");
    });
  });

  describe("calls.start", () => {
    let owner: TestClient;
    let button: string;
    beforeAll(async () => {
      // The owner signs up through the captcha too, then opens the phone panel.
      const email = uniqueEmail("cap-owner");
      owner = h.client({ ip: uniqueIp() });
      await owner.trpc.auth.signup.mutate({
        ...validSignup,
        email,
        captchaToken: siteverify.issue({ hostname: portalHost, action: "signup" }),
      });
      const mail = (await h.outbox(email)).findLast((m) => m.text.includes("/verify-email?token="));
      await owner.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(mail?.text ?? "", "/verify-email") });
      button = (await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }))).publicId;
    }, HARNESS_TIMEOUT_MS);

    it("tells the widget the site key in the button's public config", async () => {
      const res = await fetch(`${h.url}/widget/config/${button}`, { headers: { origin: SHOP } });
      expect(((await res.json()) as { captchaSiteKey: string | null }).captchaSiteKey).toBe(SITE_KEY);
    });

    it.each(refusals("call", () => "shop.test"))(
      "is refused with %s, creating no call",
      async (_l, token) => {
        const before = await countCalls(h);
        const error = await expectTrpcError(
          h
            .client({ origin: SHOP, ip: uniqueIp() })
            .trpc.calls.start.mutate({ button, captchaToken: token() }),
        );
        expect(error.data?.appCode).toBe("CAPTCHA_FAILED");
        expect(error.message).toMatch(/couldn't verify this call/i);
        expect(await countCalls(h)).toBe(before);
      },
    );

    it("is accepted with a token solved on the page's own host, and rings", async () => {
      const agent = withSubscriptions(h.url, owner);
      const events = collect<{ type: string }>();
      await owner.trpc.phone.setAvailable.mutate({ available: true });
      const sub = agent.phone.events.subscribe(undefined, {
        onData: (e) => events.push(e.data as { type: string }),
      });
      // Reachable once the server holds the panel's stream (this owner's, not any member's).
      for (let i = 0; !(await owner.trpc.phone.availability.query()).reachable; i++) {
        if (i > 100) throw new Error("the owner never became reachable");
        await new Promise((r) => setTimeout(r, 50));
      }
      // IPv4: the call path stores addresses normalized, which IPv6 spellings would change.
      const ip = `198.51.100.${1 + Math.floor(Math.random() * 250)}`;
      const token = siteverify.issue({ hostname: "shop.test", action: "call" });
      const before = await countCalls(h);
      const started = await h
        .client({ origin: SHOP, ip })
        .trpc.calls.start.mutate({ button, captchaToken: token });
      expect(started.transport).toBe("webrtc");
      expectVerified(token, ip);
      expect(await countCalls(h)).toBe(before + 1);
      await events.next((e) => e.type === "ring");
      sub.unsubscribe();
    });
  });

  it("answers a form's bad fields before asking siteverify (the token is not spent)", async () => {
    const asked = siteverify.requests.length;
    const token = siteverify.issue({ hostname: portalHost, action: "contact" });
    const res = await rawTrpc(h, "contact.send", {
      input: { ...contactInput, email: "not-an-email", captchaToken: token },
    });
    expect(res.status).toBe(400);
    expect(siteverify.requests.length).toBe(asked);
  });
});

describe("Turnstile with siteverify unreachable", () => {
  let h: Harness;
  beforeAll(async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    h = await startHarness({
      env: {
        TURNSTILE_SITE_KEY: SITE_KEY,
        TURNSTILE_SECRET_KEY: SECRET,
        TURNSTILE_VERIFY_URL: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("refuses signup and the contact form (fails closed) with a clear message, creating nothing", async () => {
    const users = await countRows(h, "users");
    const signup = await expectTrpcError(
      h
        .client({ ip: uniqueIp() })
        .trpc.auth.signup.mutate({ ...validSignup, email: uniqueEmail("down"), captchaToken: "any" }),
    );
    expect(signup.data?.appCode).toBe("CAPTCHA_FAILED");
    expect(signup.data?.httpStatus).toBe(403);
    expect(signup.message).toMatch(/couldn't reach the verification service/i);
    expect(await countRows(h, "users")).toBe(users);
    const contact = await expectTrpcError(
      h
        .client({ ip: uniqueIp() })
        .trpc.contact.send.mutate({ ...contactInput, email: uniqueEmail("down"), captchaToken: "any" }),
    );
    expect(contact.message).toMatch(/couldn't reach the verification service/i);
    expect(await countContactMessages(h)).toBe(0);
  });
});

describe("Turnstile adapter", () => {
  function recordingLog() {
    const lines: Array<{ level: string; obj: unknown; msg: string }> = [];
    const at =
      (level: string) =>
      (obj: unknown, msg = "") =>
        lines.push({ level, obj, msg });
    const log = {
      fatal: at("fatal"),
      error: at("error"),
      warn: at("warn"),
      info: at("info"),
      debug: at("debug"),
      trace: at("trace"),
    } as unknown as Logger;
    return { log, lines };
  }

  it("gives up after its timeout when siteverify does not answer, and logs why", async () => {
    let seen = 0;
    const silent = createServer(() => {
      seen += 1; // never answers
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    const { log, lines } = recordingLog();
    const captcha = createTurnstileCaptcha(
      {
        siteKey: SITE_KEY,
        secretKey: SECRET,
        verifyUrl: new URL(`http://127.0.0.1:${port}/turnstile/v0/siteverify`),
        timeoutMs: 300,
      },
      log,
    );
    const verdict = await captcha.verify("token", { ip: "203.0.113.9", action: "signup", hostnames: ["x"] });
    expect(verdict).toMatchObject({ ok: false, kind: "unavailable" });
    expect(seen).toBeGreaterThanOrEqual(1);
    expect(lines.find((line) => line.level === "error")?.msg).toMatch(/siteverify unreachable.*300 ms/);
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("refuses a missing token without asking siteverify, and knows Cloudflare's test secret keys", async () => {
    const { log } = recordingLog();
    const captcha = createTurnstileCaptcha(
      { siteKey: SITE_KEY, secretKey: SECRET, verifyUrl: new URL("http://127.0.0.1:9/never") },
      log,
    );
    expect(
      await captcha.verify(undefined, { ip: "203.0.113.9", action: "call", hostnames: [] }),
    ).toMatchObject({ ok: false, kind: "missing" });
    expect(isTestSecretKey("1x0000000000000000000000000000000AA")).toBe(true);
    expect(isTestSecretKey("2x0000000000000000000000000000000AA")).toBe(true);
    expect(isTestSecretKey("3x0000000000000000000000000000000AA")).toBe(true);
    expect(isTestSecretKey(SECRET)).toBe(false);
  });
});
