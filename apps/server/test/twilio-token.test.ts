import { createHmac } from "node:crypto";
import { channels, sweepStaleCalls } from "@cac/core";
import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { configProblems } from "./config-problems";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  callSid,
  makeAgentAvailable,
  postTwilio,
  setPlan,
  type TwilioEnv,
  twilioEnv,
} from "./fixtures/twilio";
import {
  expectTrpcError,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

const SHOP = "https://shop.test";

/** The JWT's parts, decoded, and whether its HS256 signature is the API secret's. */
function decodeJwt(jwt: string, secret: string) {
  const [header, payload, signature] = jwt.split(".");
  const json = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return { header: json(header!), payload: json(payload!), signedWithSecret: expected === signature };
}

describe("Twilio settings", () => {
  it("partial settings are refused, naming the missing variables", () => {
    const env = twilioEnv();
    const problems = configProblems({
      TWILIO_ACCOUNT_SID: env.TWILIO_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: env.TWILIO_AUTH_TOKEN,
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^TWILIO_API_KEY, TWILIO_API_SECRET, TWILIO_TWIML_APP_SID, TWILIO_CALLER_ID: are required when any TWILIO_\* setting is set/,
    );
    const { TWILIO_CALLER_ID: _, ...allButOne } = env;
    expect(configProblems(allButOne)).toEqual([
      expect.stringMatching(/^TWILIO_CALLER_ID: is required when any TWILIO_\*/),
    ]);
  });

  it("malformed values are refused, naming the variable", () => {
    const env = twilioEnv();
    const problems = configProblems({
      ...env,
      TWILIO_ACCOUNT_SID: "AC123",
      TWILIO_API_KEY: env.TWILIO_ACCOUNT_SID,
      TWILIO_TWIML_APP_SID: "not-an-app",
      TWILIO_CALLER_ID: "+442071838750",
    });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "TWILIO_ACCOUNT_SID",
      "TWILIO_API_KEY",
      "TWILIO_CALLER_ID",
      "TWILIO_TWIML_APP_SID",
    ]);
    expect(problems.find((p) => p.startsWith("TWILIO_CALLER_ID"))).toContain("E.164");
    // A number without +1 is not E.164 either.
    expect(configProblems({ ...env, TWILIO_CALLER_ID: "2025550143" })[0]).toMatch(/^TWILIO_CALLER_ID: /);
  });

  it("all six need PUBLIC_URL, which Twilio calls and signs", () => {
    const { PUBLIC_URL: _, ...withoutUrl } = twilioEnv();
    expect(configProblems(withoutUrl)).toEqual([
      expect.stringMatching(/^PUBLIC_URL: is required with Twilio/),
    ]);
  });

  it("all six set: Twilio Voice; none (or all empty): WebRTC only", () => {
    const env = twilioEnv();
    expect(loadConfig(env).twilio).toEqual({
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      apiKey: env.TWILIO_API_KEY,
      apiSecret: env.TWILIO_API_SECRET,
      twimlAppSid: env.TWILIO_TWIML_APP_SID,
      callerId: "+12025550143",
    });
    expect(loadConfig({}).twilio).toBeUndefined();
    const empty = Object.fromEntries(
      Object.keys(env)
        .filter((k) => k.startsWith("TWILIO_"))
        .map((k) => [k, ""]),
    );
    expect(loadConfig(empty).twilio).toBeUndefined();
  });
});

describe("calls.start with Twilio configured", () => {
  let h: Harness;
  let env: TwilioEnv;
  let owner: TestClient;
  let userId: string;
  let phoneButton: { id: string; publicId: string };

  beforeAll(async () => {
    env = twilioEnv();
    h = await startHarness({ env, build: { jobs: false } });
    owner = (await signupVerified(h)).client;
    userId = (await setPlan(h, owner, "starter")).user.id;
    phoneButton = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: true }),
    );
  });
  afterAll(() => h.close());

  const visitor = () => h.client({ origin: SHOP, ip: uniqueIp() });

  async function row(sessionId: string) {
    const [found] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
    return found!;
  }

  it("a paid-plan button with a number gets a real Access Token: identity = session id, outgoing grant, ttl ≤ 300 s", async () => {
    const started = await visitor().trpc.calls.start.mutate({ button: phoneButton.publicId });
    expect(started.transport).toBe("twilio");
    if (started.transport !== "twilio") return;
    expect(started.maxCallSeconds).toBe(30 * 60);
    expect(await row(started.sessionId)).toMatchObject({
      transport: "twilio",
      status: "initiated",
      providerCallId: null,
    });

    const jwt = decodeJwt(started.accessToken, env.TWILIO_API_SECRET);
    expect(jwt.signedWithSecret).toBe(true);
    expect(jwt.header).toMatchObject({ alg: "HS256", typ: "JWT", cty: "twilio-fpa;v=1" });
    expect(jwt.payload.iss).toBe(env.TWILIO_API_KEY);
    expect(jwt.payload.sub).toBe(env.TWILIO_ACCOUNT_SID);
    expect(jwt.payload.grants.identity).toBe(started.sessionId);
    expect(jwt.payload.grants.voice.outgoing.application_sid).toBe(env.TWILIO_TWIML_APP_SID);
    // A visitor's token places its one call; it cannot receive calls.
    expect(jwt.payload.grants.voice.incoming).toBeUndefined();
    expect(jwt.payload.exp - jwt.payload.iat).toBeLessThanOrEqual(300);
    expect(jwt.payload.exp - jwt.payload.iat).toBeGreaterThan(0);
  });

  it("a portal agent gets an incoming-only token under the identity <Client> rings, signed and at most an hour long", async () => {
    const line = await owner.trpc.phone.voiceLine.query();
    expect(line.mode).toBe("twilio");
    if (line.mode !== "twilio") return;
    expect(line.identity).toBe(`agent:${userId}`);
    const jwt = decodeJwt(line.token, env.TWILIO_API_SECRET);
    expect(jwt.signedWithSecret).toBe(true);
    expect(jwt.payload.grants.identity).toBe(`agent:${userId}`);
    expect(jwt.payload.grants.voice.incoming).toEqual({ allow: true });
    // The portal answers calls; it places none through the TwiML App.
    expect(jwt.payload.grants.voice.outgoing).toBeUndefined();
    expect(jwt.payload.exp - jwt.payload.iat).toBe(line.ttlSeconds);
    expect(line.ttlSeconds).toBeLessThanOrEqual(3600);

    // The portal's CSP lets that SDK reach Twilio and play its ring sounds, and nothing more.
    const csp = (await fetch(`${h.url}/healthz`)).headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/connect-src 'self'[^;]* wss:\/\/\*\.twilio\.com/);
    expect(csp).toContain("media-src 'self' https://sdk.twilio.com");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
  });

  it("WebRTC otherwise: a button without a number, or a plan that cannot ring phones", async () => {
    await makeAgentAvailable(h, userId);
    const portalOnly = await owner.trpc.buttons.create.mutate(
      validButton({ name: "Portal", hours: alwaysOpen }),
    );
    const client = visitor();
    const noNumber = await client.trpc.calls.start.mutate({ button: portalOnly.publicId });
    expect(noNumber.transport).toBe("webrtc");
    await client.trpc.calls.hangUp.mutate({
      button: portalOnly.publicId,
      sessionId: noNumber.sessionId,
      token: noNumber.token,
    });

    await setPlan(h, owner, "free");
    try {
      const freeClient = visitor();
      const free = await freeClient.trpc.calls.start.mutate({ button: phoneButton.publicId });
      expect(free.transport).toBe("webrtc");
      expect(free).not.toHaveProperty("accessToken");
      await freeClient.trpc.calls.hangUp.mutate({
        button: phoneButton.publicId,
        sessionId: free.sessionId,
        token: free.token,
      });
    } finally {
      await setPlan(h, owner, "starter");
    }
  });

  it("calls.reportFailure marks the session failed with the widget's reason, once, and only before an answer", async () => {
    const client = visitor();
    const started = await client.trpc.calls.start.mutate({ button: phoneButton.publicId });
    const ended: unknown[] = [];
    const stop = await h.ports.pubsub.subscribe(channels.visitor(started.sessionId), ({ message }) =>
      ended.push(message),
    );
    const call = { button: phoneButton.publicId, sessionId: started.sessionId, token: started.token };

    const wrongToken = await expectTrpcError(
      client.trpc.calls.reportFailure.mutate({ ...call, token: "x".repeat(43), reason: "x" }),
    );
    expect(wrongToken.data?.httpStatus).toBe(404);
    expect(await row(started.sessionId)).toMatchObject({ status: "initiated" });

    const reason = "Could not reach Twilio (error 31005: connection error).";
    expect(await client.trpc.calls.reportFailure.mutate({ ...call, reason })).toEqual({
      ok: true,
      ended: true,
    });
    expect(await row(started.sessionId)).toMatchObject({
      status: "failed",
      failureReason: reason,
      durationSeconds: 0,
    });
    expect((await row(started.sessionId)).endedAt).not.toBeNull();
    expect(await client.trpc.calls.reportFailure.mutate({ ...call, reason: "again" })).toEqual({
      ok: true,
      ended: false,
    });
    expect(await row(started.sessionId)).toMatchObject({ failureReason: reason });
    await new Promise((r) => setTimeout(r, 100));
    expect(ended).toEqual([{ type: "ended", status: "failed", reason, durationSeconds: 0 }]);
    await stop();

    // A call the phone network already connected is not ended by the widget's report.
    const answered = await client.trpc.calls.start.mutate({ button: phoneButton.publicId });
    await h.db.db
      .update(callSessions)
      .set({ status: "in-progress", answeredAt: h.clock.now(), providerCallId: callSid() })
      .where(eq(callSessions.id, answered.sessionId));
    expect(
      await client.trpc.calls.reportFailure.mutate({
        button: phoneButton.publicId,
        sessionId: answered.sessionId,
        token: answered.token,
        reason: "late",
      }),
    ).toEqual({ ok: true, ended: false });
    expect(await row(answered.sessionId)).toMatchObject({ status: "in-progress", failureReason: null });
  });

  it("Twilio unreachable and the widget silent: the sweeper fails the session, and a late webhook is rejected", async () => {
    const started = await visitor().trpc.calls.start.mutate({ button: phoneButton.publicId });
    h.clock.advance(31_000);
    await sweepStaleCalls(h.ports, 30);
    expect(await row(started.sessionId)).toMatchObject({
      status: "failed",
      failureReason: "The phone network did not connect the call.",
    });
    const late = await postTwilio(h, env, "/webhooks/twilio/voice", {
      CallSid: callSid(),
      From: `client:${started.sessionId}`,
      session: started.sessionId,
    });
    expect(late.text).toContain("<Reject/>");
    expect(await row(started.sessionId)).toMatchObject({ status: "failed", providerCallId: null });
  });
});

describe("without Twilio", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
  });
  afterAll(() => h.close());

  it("calls stay WebRTC even for a paid-plan button with a number, and the Twilio webhooks are not served", async () => {
    const { client: owner } = await signupVerified(h);
    const me = await setPlan(h, owner, "starter");
    await makeAgentAvailable(h, me.user.id);
    const b = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, phoneNumber: "(202) 555-0188" }),
    );
    const client = h.client({ origin: SHOP, ip: uniqueIp() });
    const started = await client.trpc.calls.start.mutate({ button: b.publicId });
    expect(started.transport).toBe("webrtc");
    await client.trpc.calls.hangUp.mutate({
      button: b.publicId,
      sessionId: started.sessionId,
      token: started.token,
    });

    const res = await postTwilio(h, twilioEnv(), "/webhooks/twilio/voice", {
      CallSid: callSid(),
      session: started.sessionId,
    });
    expect(res.status).toBe(404);
    // The phone panel then needs no Voice SDK line.
    expect(await owner.trpc.phone.voiceLine.query()).toEqual({ mode: "webrtc" });
  });
});
