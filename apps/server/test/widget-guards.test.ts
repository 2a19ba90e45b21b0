/**
 * The guard chain of the widget's public entry points (calls.start, widget.requestCallback) with
 * Turnstile on: button enabled → Origin allowed → IP not blocked → per-IP limit → captcha →
 * per-button limit. Anonymous attempts that never solve the captcha spend none of the business's
 * budget, an IP over its limit or blocked is refused before siteverify is asked, and the callback
 * form needs a token solved for its own action on the page's host.
 */

import { defaultLimits } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import { abuseFlags, callbackRequests, callSessions, securityEvents } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  uniqueIp,
} from "./harness";
import { startTurnstileStandIn, type TurnstileStandIn } from "./turnstile-stand-in";

const SECRET = "0x4AAAAAAAguards-secret";
const SHOP = "https://shop.test";
/** The business's budgets, small so that spending them shows. */
const BUTTON_BUDGET = 3;

describe("widget entry guards with the captcha on", () => {
  let siteverify: TurnstileStandIn;
  let h: Harness;
  beforeAll(async () => {
    siteverify = await startTurnstileStandIn(SECRET);
    h = await startHarness({
      env: {
        TURNSTILE_SITE_KEY: "0x4AAAAAAAguards-site",
        TURNSTILE_SECRET_KEY: SECRET,
        TURNSTILE_VERIFY_URL: siteverify.url,
      },
      limits: {
        "signup.ip": LIFTED,
        "call.button": { points: BUTTON_BUDGET, durationSeconds: 3600 },
        "callback.button": { points: BUTTON_BUDGET, durationSeconds: 3600 },
      },
      build: { jobs: false },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
    await siteverify?.close();
  }, HARNESS_TIMEOUT_MS);

  type Business = { publicId: string; buttonId: string };
  /** The owners' open phone panels (the calls ring them), closed with the suite. */
  const panels: Array<{ drop(): void }> = [];
  afterAll(() => {
    for (const panel of panels) panel.drop();
  });

  /** An owner signs up through the captcha, confirms, opens a button and the phone panel. */
  async function openBusiness(): Promise<Business> {
    const portalHost = new URL(h.portalOrigin).hostname;
    const { client } = await signupVerified(h, {
      captchaToken: siteverify.issue({ hostname: portalHost, action: "signup" }),
    });
    const button = await client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    panels.push(await readyToAnswer(h.url, client));
    return { publicId: button.publicId, buttonId: button.id };
  }

  const visitor = (ip = uniqueIp()) => h.client({ origin: SHOP, ip });
  const callToken = () => siteverify.issue({ hostname: "shop.test", action: "call" });
  const callbackToken = () => siteverify.issue({ hostname: "shop.test", action: "callback" });
  const callback = (business: Business, captchaToken?: string, ip = uniqueIp()) =>
    visitor(ip).trpc.widget.requestCallback.mutate({
      button: business.publicId,
      name: "Val Visitor",
      phone: "(202) 555-0188",
      captchaToken,
    });
  /** Refused without a token, or with one siteverify rejects: never solved. */
  const unsolved = (i: number) => (i % 2 ? undefined : `forged-${i}`);

  it("120 call attempts that never solve the captcha spend none of the button's budget", async () => {
    const shop = await openBusiness();
    for (let i = 0; i < 120; i++) {
      const error = await expectTrpcError(
        visitor().trpc.calls.start.mutate({ button: shop.publicId, captchaToken: unsolved(i) }),
      );
      expect(error.data?.appCode, `attempt ${i + 1}`).toBe("CAPTCHA_FAILED");
    }
    // Real visitors who solve it still get through, until the budget is spent by them alone.
    for (let i = 0; i < BUTTON_BUDGET; i++) {
      const started = await visitor().trpc.calls.start.mutate({
        button: shop.publicId,
        captchaToken: callToken(),
      });
      expect(started.transport).toBe("webrtc");
    }
    const spent = await expectTrpcError(
      visitor().trpc.calls.start.mutate({ button: shop.publicId, captchaToken: callToken() }),
    );
    expect(spent.data?.appCode).toBe("RATE_LIMITED");
    const calls = await h.db.db.select().from(callSessions).where(eq(callSessions.buttonId, shop.buttonId));
    expect(calls).toHaveLength(BUTTON_BUDGET);
  });

  it("120 callback requests that never solve the captcha spend none of the button's budget either", async () => {
    const shop = await openBusiness();
    for (let i = 0; i < 120; i++) {
      const error = await expectTrpcError(callback(shop, unsolved(i)));
      expect(error.data?.appCode, `attempt ${i + 1}`).toBe("CAPTCHA_FAILED");
    }
    for (let i = 0; i < BUTTON_BUDGET; i++)
      expect(await callback(shop, callbackToken())).toEqual({ ok: true });
    expect((await expectTrpcError(callback(shop, callbackToken()))).data?.appCode).toBe("RATE_LIMITED");
    const rows = await h.db.db
      .select()
      .from(callbackRequests)
      .where(eq(callbackRequests.buttonId, shop.buttonId));
    expect(rows).toHaveLength(BUTTON_BUDGET);
  });

  it("an IP over its own limit is refused before siteverify is asked; its unsolved attempts counted", async () => {
    const shop = await openBusiness();
    const ip = uniqueIp();
    const limit = defaultLimits["call.ip"].points;
    for (let i = 0; i < limit; i++) {
      const error = await expectTrpcError(
        visitor(ip).trpc.calls.start.mutate({ button: shop.publicId, captchaToken: `forged-${i}` }),
      );
      expect(error.data?.appCode).toBe("CAPTCHA_FAILED");
    }
    const asked = siteverify.requests.length;
    const token = callToken();
    const limited = await expectTrpcError(
      visitor(ip).trpc.calls.start.mutate({ button: shop.publicId, captchaToken: token }),
    );
    expect(limited.data?.appCode).toBe("RATE_LIMITED");
    expect(limited.message).toMatch(/please wait \d+ minutes/i);
    expect(siteverify.requests.length).toBe(asked);
  });

  it("a blocked IP is refused before its limits and the captcha", async () => {
    const shop = await openBusiness();
    const ip = uniqueIp();
    await h.db.db.insert(abuseFlags).values({ ip: ipKey(ip), reason: "test", source: "operator" });
    const asked = siteverify.requests.length;
    for (let i = 0; i < 15; i++) {
      const error = await expectTrpcError(callback(shop, callbackToken(), ip));
      expect(error.data?.appCode).toBe("IP_BLOCKED");
    }
    expect(siteverify.requests.length).toBe(asked);
    const events = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
    expect(events.map((e) => [e.kind, e.count])).toEqual([["callback_refused_blocked_ip", 15]]);
  });

  it("the callback form needs a token solved for 'callback' on the page's own host", async () => {
    const shop = await openBusiness();
    const refusals = [
      [undefined, /complete the verification check/i],
      ["forged", /couldn't verify that you're a person/i],
      [callToken(), /couldn't verify that you're a person/i],
      [
        siteverify.issue({ hostname: "evil.test", action: "callback" }),
        /couldn't verify that you're a person/i,
      ],
    ] as const;
    const ip = uniqueIp();
    for (const [token, message] of refusals) {
      const error = await expectTrpcError(callback(shop, token, ip));
      expect(error.data?.appCode).toBe("CAPTCHA_FAILED");
      expect(error.message).toMatch(message);
    }
    const events = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
    expect(events.map((e) => [e.kind, e.count])).toEqual([["callback_refused_captcha", refusals.length]]);
    expect(await callback(shop, callbackToken())).toEqual({ ok: true });
    expect(siteverify.requests.at(-1)?.form).toMatchObject({ secret: SECRET });
  });

  it("a bad field is answered before siteverify is asked (the visitor's token is not spent)", async () => {
    const shop = await openBusiness();
    const asked = siteverify.requests.length;
    const error = await expectTrpcError(
      visitor().trpc.widget.requestCallback.mutate({
        button: shop.publicId,
        name: "Val",
        phone: "+44 20 7946 0958",
        captchaToken: callbackToken(),
      }),
    );
    expect(error.data?.fieldErrors?.phone?.[0]).toMatch(/US phone/);
    expect(siteverify.requests.length).toBe(asked);
  });
});
