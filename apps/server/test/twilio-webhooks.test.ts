import { randomUUID } from "node:crypto";
import { channels, reconcileUsageTotals } from "@cac/core";
import { buttons, callRingSteps, callSessions } from "@cac/db";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  callSid,
  makeAgentAvailable,
  postTwilio,
  setPlan,
  type TwilioEnv,
  twilioEnv,
} from "./fixtures/twilio";
import { type Harness, loginAgent, signupVerified, startHarness, type TestClient, uniqueIp } from "./harness";

const SHOP = "https://shop.test";
const VOICE = "/webhooks/twilio/voice";
const STATUS = "/webhooks/twilio/status";
const BUSINESS_NUMBER = "+12025550188";

/** The attributes of the first `<tag ...>` in a TwiML document. */
function attributesOf(xml: string, tag: string): Record<string, string> | null {
  const match = new RegExp(`<${tag}(\\s[^>]*)?/?>`).exec(xml);
  if (!match) return null;
  return Object.fromEntries([...(match[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

/** The Dial's action for step `step`, as the Dial names it. */
const actionUrl = (step: number) => `https://calls.example.test/webhooks/twilio/status?step=${step}`;

/** What Twilio posts to a Dial's action when the dial is over: the outcome, on the caller's sid. */
function dialAction(parent: string, dialStatus: string, extra: Record<string, string> = {}) {
  return {
    CallSid: parent,
    CallStatus: "in-progress",
    DialCallSid: callSid(),
    DialCallStatus: dialStatus,
    ...extra,
  };
}

const REJECT = '<?xml version="1.0" encoding="UTF-8"?><Response><Reject/></Response>';

describe("Twilio webhooks", () => {
  let h: Harness;
  let env: TwilioEnv;
  let owner: TestClient;
  let userId: string;
  let button: { id: string; publicId: string };

  beforeAll(async () => {
    env = twilioEnv();
    // The sweeper is run by hand here, so expiry is tested on its own.
    h = await startHarness({ env, build: { jobs: false } });
    owner = (await signupVerified(h)).client;
    const me = await setPlan(h, owner, "starter");
    userId = me.user.id;
    button = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: false }),
    );
  });
  afterAll(() => h.close());

  /** A visitor starts a Twilio call from the widget: a session "initiated", as call.start leaves it. */
  async function startTwilioCall(publicId = button.publicId) {
    const started = await h
      .client({ origin: SHOP, ip: uniqueIp() })
      .trpc.calls.start.mutate({ button: publicId });
    expect(started.transport).toBe("twilio");
    return started;
  }

  /** What Twilio posts when the widget's Device.connect({ params: { session } }) reaches the TwiML App. */
  function voiceParams(sessionId: string, sid = callSid(), extra: Record<string, string> = {}) {
    return {
      AccountSid: env.TWILIO_ACCOUNT_SID,
      ApplicationSid: env.TWILIO_TWIML_APP_SID,
      ApiVersion: "2010-04-01",
      CallSid: sid,
      CallStatus: "ringing",
      Direction: "inbound",
      Caller: `client:${sessionId}`,
      From: `client:${sessionId}`,
      To: "",
      session: sessionId,
      ...extra,
    };
  }

  async function row(sessionId: string) {
    const [found] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, sessionId));
    return found!;
  }

  describe("POST /webhooks/twilio/voice", () => {
    it("dials the number stored for the button with callerId, answerOnBridge, timeLimit and status callbacks, never recording", async () => {
      const { sessionId } = await startTwilioCall();
      const sid = callSid();
      const res = await postTwilio(h, env, VOICE, voiceParams(sessionId, sid));
      expect(res.status).toBe(200);
      expect(res.contentType).toMatch(/^text\/xml/);
      expect(attributesOf(res.text, "Dial")).toEqual({
        callerId: env.TWILIO_CALLER_ID,
        answerOnBridge: "true",
        // Starter plan: 30 minutes a call, with far more minutes left this month.
        timeLimit: "1800",
        timeout: "30",
        // The Dial's action names its step: here the number's, the only one.
        action: `${env.PUBLIC_URL}/webhooks/twilio/status?step=0`,
        method: "POST",
      });
      expect(attributesOf(res.text, "Number")).toEqual({
        statusCallback: `${env.PUBLIC_URL}/webhooks/twilio/status`,
        statusCallbackMethod: "POST",
        statusCallbackEvent: "initiated ringing answered completed",
      });
      expect(res.text).toContain(`>${BUSINESS_NUMBER}</Number>`);
      expect(res.text).not.toMatch(/record/i);
      expect(res.text).not.toContain("<Client");

      expect(await row(sessionId)).toMatchObject({
        status: "ringing",
        providerCallId: sid,
        transport: "twilio",
      });
    });

    it("ignores a client-supplied To and any other client parameter", async () => {
      const { sessionId } = await startTwilioCall();
      const res = await postTwilio(
        h,
        env,
        VOICE,
        voiceParams(sessionId, callSid(), {
          To: "+19005550100",
          number: "+19005550101",
          phoneNumber: "+19005550102",
        }),
      );
      expect(res.status).toBe(200);
      expect(res.text).toContain(`>${BUSINESS_NUMBER}</Number>`);
      expect(res.text).not.toContain("900555");
      expect(res.text.match(/<Number/g)).toHaveLength(1);
    });

    it("rings the portal's available agents as <Client> first when the button rings the portal, then the number", async () => {
      const both = await owner.trpc.buttons.create.mutate(
        validButton({ name: "Both", hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: true }),
      );
      await makeAgentAvailable(h, userId);
      const { sessionId } = await startTwilioCall(both.publicId);
      const parent = callSid();
      const res = await postTwilio(h, env, VOICE, voiceParams(sessionId, parent));
      // The number is the routing's fallback: it rings once the members' step rang out.
      expect(res.text).not.toContain("<Number");
      expect(attributesOf(res.text, "Dial")).toMatchObject({ timeout: "30", action: actionUrl(0) });
      expect(attributesOf(res.text, "Client")).toEqual({
        statusCallback: `${env.PUBLIC_URL}/webhooks/twilio/status`,
        statusCallbackMethod: "POST",
        statusCallbackEvent: "initiated ringing answered completed",
      });
      expect(res.text).toContain(`<Identity>agent:${userId}</Identity>`);
      expect(res.text).toContain(`<Parameter name="session" value="${sessionId}"/>`);
      expect(res.text).not.toMatch(/record/i);

      const fallback = await postTwilio(h, env, STATUS, dialAction(parent, "no-answer"), {
        query: "?step=0",
      });
      expect(fallback.text).toContain(`>${BUSINESS_NUMBER}</Number>`);
      expect(fallback.text).not.toContain("<Client");
      expect(attributesOf(fallback.text, "Dial")).toMatchObject({ timeout: "30", action: actionUrl(1) });
      expect(fallback.text).not.toMatch(/record/i);
    });

    it("rings only the button's routed members who are reachable as <Client>, then the number", async () => {
      const routed = await owner.trpc.buttons.create.mutate(
        validButton({ name: "Routed", hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: true }),
      );
      const me = await owner.trpc.account.me.query();
      const member = await loginAgent(h, me!.account.id);
      const memberId = (await member.client.trpc.account.me.query())!.user.id;
      await makeAgentAvailable(h, userId);
      await makeAgentAvailable(h, memberId);
      await owner.trpc.buttons.setRouting.mutate({
        id: routed.id,
        who: "chosen",
        strategy: "ring-all",
        stepSeconds: 20,
        members: [{ userId: memberId, ringSeconds: null }],
      });
      const { sessionId } = await startTwilioCall(routed.publicId);
      const res = await postTwilio(h, env, VOICE, voiceParams(sessionId));
      expect(res.text).not.toContain("<Number");
      expect(res.text).toContain(`<Identity>agent:${memberId}</Identity>`);
      expect(res.text).not.toContain(`agent:${userId}`);
      expect(res.text.match(/<Client/g)).toHaveLength(1);

      // Nobody routed is reachable: the phone number is the fallback, and it still rings.
      await member.client.trpc.phone.setAvailable.mutate({ available: false });
      const fallback = await startTwilioCall(routed.publicId);
      const dialed = await postTwilio(h, env, VOICE, voiceParams(fallback.sessionId));
      expect(dialed.text).toContain(`>${BUSINESS_NUMBER}</Number>`);
      expect(dialed.text).not.toContain("<Client");
    });

    it("refuses a tampered parameter, a tampered URL or a missing signature with 403 and writes nothing", async () => {
      const { sessionId } = await startTwilioCall();
      const params = voiceParams(sessionId);
      const before = await row(sessionId);

      // Signed, then a parameter changed on the way.
      const tamperedParam = await postTwilio(
        h,
        env,
        VOICE,
        { ...params, To: "+19005550100" },
        { signedParams: params },
      );
      expect(tamperedParam.status).toBe(403);
      // Signed for another address than PUBLIC_URL's.
      const otherHost = await postTwilio(h, env, VOICE, params, {
        signedUrl: `https://evil.example${VOICE}`,
      });
      expect(otherHost.status).toBe(403);
      const otherPath = await postTwilio(h, env, VOICE, params, { signedUrl: `${env.PUBLIC_URL}${STATUS}` });
      expect(otherPath.status).toBe(403);
      // Signed without the query string it was sent with.
      const addedQuery = await postTwilio(h, env, VOICE, params, {
        query: "?x=1",
        signedUrl: `${env.PUBLIC_URL}${VOICE}`,
      });
      expect(addedQuery.status).toBe(403);
      // Signed with another account's token.
      const wrongToken = await postTwilio(h, { ...env, TWILIO_AUTH_TOKEN: "f".repeat(32) }, VOICE, params);
      expect(wrongToken.status).toBe(403);
      const unsigned = await postTwilio(h, env, VOICE, params, { signature: null });
      expect(unsigned.status).toBe(403);
      for (const res of [tamperedParam, otherHost, otherPath, addedQuery, wrongToken, unsigned]) {
        expect(res.text).not.toContain("<Dial");
      }
      expect(await row(sessionId)).toEqual(before);

      // A repeated parameter is refused rather than merged one way or another.
      const repeated = await fetch(`${h.url}${VOICE}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": "x" },
        body: `${new URLSearchParams(params)}&session=${randomUUID()}`,
      });
      expect(repeated.status).toBe(400);
      expect(await row(sessionId)).toEqual(before);

      // The same request, signed right (query string included), is answered.
      const signed = await postTwilio(h, env, VOICE, params, { query: "?x=1" });
      expect(signed.text).toContain("<Dial");
    });

    it("rejects an unknown session, a session of another identity, a used session and an expired one", async () => {
      const unknown = await postTwilio(h, env, VOICE, voiceParams(randomUUID()));
      expect(unknown.text).toBe(REJECT);
      const notAnId = await postTwilio(h, env, VOICE, { ...voiceParams(randomUUID()), session: "1 or 1=1" });
      expect(notAnId.text).toBe(REJECT);

      // A widget holding the token of one session asks for another.
      const mine = await startTwilioCall();
      const theirs = await startTwilioCall();
      const crossed = await postTwilio(h, env, VOICE, {
        ...voiceParams(mine.sessionId),
        session: theirs.sessionId,
      });
      expect(crossed.text).toBe(REJECT);
      expect(await row(theirs.sessionId)).toMatchObject({ status: "initiated", providerCallId: null });

      // Used once; a second call on it, or a replay of the first request, is rejected.
      const { sessionId } = await startTwilioCall();
      const first = voiceParams(sessionId);
      expect((await postTwilio(h, env, VOICE, first)).text).toContain("<Dial");
      expect((await postTwilio(h, env, VOICE, voiceParams(sessionId))).text).toBe(REJECT);
      expect((await postTwilio(h, env, VOICE, first)).text).toBe(REJECT);
      expect(await row(sessionId)).toMatchObject({ status: "ringing", providerCallId: first.CallSid });
      // A CallSid already used by a session cannot claim another one.
      const other = await startTwilioCall();
      expect((await postTwilio(h, env, VOICE, voiceParams(other.sessionId, first.CallSid))).text).toBe(
        REJECT,
      );
      expect(await row(other.sessionId)).toMatchObject({ status: "initiated", providerCallId: null });

      // Older than the Access Token's lifetime (300 s).
      const late = await startTwilioCall();
      h.clock.advance(301_000);
      expect((await postTwilio(h, env, VOICE, voiceParams(late.sessionId))).text).toBe(REJECT);
      expect(await row(late.sessionId)).toMatchObject({ providerCallId: null });
    });

    it("the time limit follows the minutes left this month", async () => {
      const other = await signupVerified(h);
      await setPlan(h, other.client, "starter");
      const b = await other.client.trpc.buttons.create.mutate(
        validButton({ hours: alwaysOpen, phoneNumber: "(202) 555-0177", ringPortal: false }),
      );
      const me = await other.client.trpc.account.me.query();
      // 493 of the Starter plan's 500 minutes used: 7 minutes left, under the 30-minute call limit.
      await h.db.db.insert(callSessions).values({
        accountId: me!.account.id,
        buttonId: b.id,
        transport: "twilio",
        status: "completed",
        startedAt: h.clock.now(),
        durationSeconds: 493 * 60,
      });
      // A call written straight into the log reaches the usage total through the nightly check.
      await reconcileUsageTotals(h.ports);
      const { sessionId } = await startTwilioCall(b.publicId);
      const res = await postTwilio(h, env, VOICE, voiceParams(sessionId));
      expect(attributesOf(res.text, "Dial")?.timeLimit).toBe(String(7 * 60));
      expect(res.text).toContain(">+12025550177</Number>");
    });

    it("a button whose number was removed since the call started ends the session as failed", async () => {
      const b = await owner.trpc.buttons.create.mutate(
        validButton({ name: "Gone", hours: alwaysOpen, phoneNumber: "(202) 555-0166", ringPortal: false }),
      );
      const { sessionId } = await startTwilioCall(b.publicId);
      await h.db.db.update(buttons).set({ phoneNumber: null }).where(eq(buttons.id, b.id));
      expect((await postTwilio(h, env, VOICE, voiceParams(sessionId))).text).toBe(REJECT);
      expect(await row(sessionId)).toMatchObject({
        status: "failed",
        failureReason: "The call button has no US phone number to ring.",
      });
    });
  });

  describe("POST /webhooks/twilio/status", () => {
    /** A session whose call Twilio has connected: voice webhook answered with a Dial. */
    async function connectedCall() {
      const { sessionId } = await startTwilioCall();
      const parent = callSid();
      const res = await postTwilio(h, env, VOICE, voiceParams(sessionId, parent));
      expect(res.text).toContain("<Dial");
      const ended: unknown[] = [];
      const stop = await h.ports.pubsub.subscribe(channels.visitor(sessionId), ({ message }) => {
        if ((message as { type: string }).type === "ended") ended.push(message);
      });
      return { sessionId, parent, child: callSid(), ended, stop };
    }

    /** A status callback of the dialed <Number> leg: it carries the child's sid and the parent's. */
    function leg(
      call: { parent: string; child: string },
      status: string,
      extra: Record<string, string> = {},
    ) {
      return {
        AccountSid: env.TWILIO_ACCOUNT_SID,
        CallSid: call.child,
        ParentCallSid: call.parent,
        CallStatus: status,
        Direction: "outbound-dial",
        To: BUSINESS_NUMBER,
        From: env.TWILIO_CALLER_ID,
        ...extra,
      };
    }

    /** The Dial's action: the outcome of the dial, on the parent's sid. */
    function dialOutcome(call: { parent: string; child: string }, dialStatus: string, duration?: number) {
      return {
        AccountSid: env.TWILIO_ACCOUNT_SID,
        CallSid: call.parent,
        CallStatus: "in-progress",
        DialCallSid: call.child,
        DialCallStatus: dialStatus,
        ...(duration === undefined ? {} : { DialCallDuration: String(duration) }),
      };
    }

    const send = (params: Record<string, string>) => postTwilio(h, env, STATUS, params);

    it("in order, then every callback replayed: completed with Twilio's duration, ended published once", async () => {
      const call = await connectedCall();
      const sequence = [
        leg(call, "initiated"),
        leg(call, "ringing"),
        leg(call, "in-progress"),
        leg(call, "completed", { CallDuration: "65" }),
        dialOutcome(call, "completed", 65),
      ];
      for (const params of sequence) expect((await send(params)).status).toBe(200);
      h.clock.advance(5_000);
      for (const params of sequence) await send(params);
      const done = await row(call.sessionId);
      expect(done).toMatchObject({ status: "completed", durationSeconds: 65, failureReason: null });
      expect(done.answeredAt).not.toBeNull();
      expect(done.endedAt).not.toBeNull();
      await new Promise((r) => setTimeout(r, 100));
      expect(call.ended).toEqual([{ type: "ended", status: "completed", reason: null, durationSeconds: 65 }]);
      await call.stop();
    });

    it("out of order: a late ringing or answered never overwrites completed, and the duration stays Twilio's", async () => {
      const call = await connectedCall();
      await send(leg(call, "completed", { CallDuration: "42" }));
      await send(leg(call, "ringing"));
      await send(leg(call, "in-progress"));
      await send(dialOutcome(call, "completed", 42));
      await send(leg(call, "initiated"));
      const done = await row(call.sessionId);
      expect(done).toMatchObject({ status: "completed", durationSeconds: 42 });
      // The talk time implies the answer, even though "answered" came after "completed".
      expect(done.endedAt!.getTime() - done.answeredAt!.getTime()).toBe(42_000);
      await call.stop();
    });

    it("answered, then the Dial's outcome arrives before the leg's completed callback", async () => {
      const call = await connectedCall();
      await send(leg(call, "ringing"));
      await send(leg(call, "in-progress"));
      expect(await row(call.sessionId)).toMatchObject({ status: "in-progress" });
      h.clock.advance(30_000);
      await send(dialOutcome(call, "completed", 29));
      await send(leg(call, "completed", { CallDuration: "29" }));
      await send(leg(call, "in-progress"));
      expect(await row(call.sessionId)).toMatchObject({ status: "completed", durationSeconds: 29 });
      await call.stop();
    });

    it("no answer: a leg's no-answer waits for the Dial's outcome, which is final", async () => {
      const call = await connectedCall();
      await send(leg(call, "ringing"));
      await send(leg(call, "no-answer"));
      // One leg of possibly several (the portal's agents ring too): not the end yet.
      expect(await row(call.sessionId)).toMatchObject({ status: "ringing" });
      await send(dialOutcome(call, "no-answer"));
      await send(leg(call, "ringing"));
      await send(dialOutcome(call, "no-answer"));
      expect(await row(call.sessionId)).toMatchObject({
        status: "no-answer",
        durationSeconds: 0,
        failureReason: "No one answered in time.",
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(call.ended).toHaveLength(1);
      await call.stop();
    });

    it("busy and failed carry their reason", async () => {
      const busy = await connectedCall();
      await send(dialOutcome(busy, "busy"));
      expect(await row(busy.sessionId)).toMatchObject({
        status: "busy",
        failureReason: "The line was busy.",
      });
      const failed = await connectedCall();
      await send({ ...dialOutcome(failed, "failed"), ErrorCode: "13224" });
      expect(await row(failed.sessionId)).toMatchObject({
        status: "failed",
        failureReason: "The phone network could not connect the call. (Twilio error 13224)",
      });
      await busy.stop();
      await failed.stop();
    });

    it("a tampered status callback gets 403 and changes nothing; an unknown CallSid changes nothing", async () => {
      const call = await connectedCall();
      const params = leg(call, "completed", { CallDuration: "3600" });
      const tampered = await postTwilio(h, env, STATUS, params, {
        signedParams: { ...params, CallDuration: "1" },
      });
      expect(tampered.status).toBe(403);
      const wrongUrl = await postTwilio(h, env, STATUS, params, { signedUrl: `${env.PUBLIC_URL}${VOICE}` });
      expect(wrongUrl.status).toBe(403);
      expect(await row(call.sessionId)).toMatchObject({
        status: "ringing",
        endedAt: null,
        durationSeconds: 0,
      });

      const stranger = await send({ ...params, ParentCallSid: callSid() });
      expect(stranger.status).toBe(200);
      expect(await row(call.sessionId)).toMatchObject({ status: "ringing" });
      await call.stop();
    });

    it("an agent's <Client> leg answering records who answered", async () => {
      const call = await connectedCall();
      await send(leg(call, "in-progress", { To: `client:agent:${userId}` }));
      expect(await row(call.sessionId)).toMatchObject({ status: "in-progress", answeredBy: userId });
      await send(dialOutcome(call, "completed", 12));
      expect(await row(call.sessionId)).toMatchObject({
        status: "completed",
        durationSeconds: 12,
        answeredBy: userId,
      });
      await call.stop();
    });
  });

  describe("routing through Twilio: the members in order, then the button's number", () => {
    let shop: TestClient;
    let firstId: string;
    let second: TestClient;
    let secondId: string;
    let inOrder: { id: string; publicId: string };

    beforeAll(async () => {
      shop = (await signupVerified(h)).client;
      const me = await setPlan(h, shop, "starter");
      firstId = me.user.id;
      second = (await loginAgent(h, me.account.id)).client;
      secondId = (await second.trpc.account.me.query())!.user.id;
      inOrder = await shop.trpc.buttons.create.mutate(
        validButton({ name: "In order", hours: alwaysOpen, phoneNumber: "(202) 555-0188", ringPortal: true }),
      );
      await shop.trpc.buttons.setRouting.mutate({
        id: inOrder.id,
        who: "chosen",
        strategy: "in-order",
        stepSeconds: 20,
        members: [
          { userId: firstId, ringSeconds: 5 },
          { userId: secondId, ringSeconds: 10 },
        ],
      });
    });

    async function dialed() {
      await makeAgentAvailable(h, firstId);
      await makeAgentAvailable(h, secondId);
      const { sessionId } = await startTwilioCall(inOrder.publicId);
      const parent = callSid();
      const first = await postTwilio(h, env, VOICE, voiceParams(sessionId, parent));
      return { sessionId, parent, first };
    }

    const action = (parent: string, step: number, status: string, extra: Record<string, string> = {}) =>
      postTwilio(h, env, STATUS, dialAction(parent, status, extra), { query: `?step=${step}` });

    async function stepsOf(sessionId: string) {
      return h.db.db
        .select({
          step: callRingSteps.step,
          userId: callRingSteps.userId,
          phoneNumber: callRingSteps.phoneNumber,
          outcome: callRingSteps.outcome,
        })
        .from(callRingSteps)
        .where(eq(callRingSteps.callId, sessionId))
        .orderBy(asc(callRingSteps.step));
    }

    it("rings one member at a time for their ring time, a no-answer step moves on once, and the number answers last", async () => {
      const { sessionId, parent, first } = await dialed();
      // Step 0: only the first member, for their 5 s; never the number with them.
      expect(attributesOf(first.text, "Dial")).toMatchObject({ timeout: "5", action: actionUrl(0) });
      expect(first.text).toContain(`<Identity>agent:${firstId}</Identity>`);
      expect(first.text.match(/<Client/g)).toHaveLength(1);
      expect(first.text).not.toContain("<Number");
      // The call may ring through every step (5 + 10 s) and the number (30 s).
      const claimed = await row(sessionId);
      expect(claimed.ringDeadlineAt!.getTime() - h.clock.now().getTime()).toBe(45_000);

      // Nobody answered step 0: the Dial's action gets step 1's Dial.
      const next = await action(parent, 0, "no-answer");
      expect(attributesOf(next.text, "Dial")).toMatchObject({
        timeout: "10",
        timeLimit: "1800",
        action: actionUrl(1),
      });
      expect(next.text).toContain(`<Identity>agent:${secondId}</Identity>`);
      expect(next.text.match(/<Client/g)).toHaveLength(1);
      expect(next.text).not.toContain("<Number");
      // A replayed action of step 0 moves nothing (and dials nothing).
      const replay = await action(parent, 0, "no-answer");
      expect(replay.text).not.toContain("<Dial");
      expect(await row(sessionId)).toMatchObject({ status: "ringing", ringStep: 1 });

      // The second member rejects it on their panel: then the number, as the routing's last step.
      // (With answerOnBridge the caller's own leg is still "ringing" until someone answers.)
      const phone = await action(parent, 1, "busy", { CallStatus: "ringing" });
      expect(attributesOf(phone.text, "Dial")).toMatchObject({ timeout: "30", action: actionUrl(2) });
      expect(phone.text).toContain(`>${BUSINESS_NUMBER}</Number>`);
      expect(phone.text).not.toContain("<Client");
      expect(phone.text).not.toMatch(/record/i);

      // The number's leg answers: the one call session, answered on the phone.
      const child = callSid();
      await postTwilio(h, env, STATUS, {
        CallSid: child,
        ParentCallSid: parent,
        CallStatus: "in-progress",
        To: BUSINESS_NUMBER,
      });
      expect(await row(sessionId)).toMatchObject({ status: "in-progress", answeredBy: null, ringStep: 2 });
      expect(await stepsOf(sessionId)).toEqual([
        { step: 0, userId: firstId, phoneNumber: null, outcome: "no-answer" },
        { step: 1, userId: secondId, phoneNumber: null, outcome: "declined" },
        { step: 2, userId: null, phoneNumber: BUSINESS_NUMBER, outcome: "answered" },
      ]);
      const done = await action(parent, 2, "completed", { DialCallDuration: "40" });
      expect(done.text).not.toContain("<Dial");
      expect(await row(sessionId)).toMatchObject({ status: "completed", durationSeconds: 40 });
      const calls = await h.db.db.select().from(callSessions).where(eq(callSessions.providerCallId, parent));
      expect(calls).toHaveLength(1);
    });

    it("skips a member no longer reachable; the number not answering ends the call unanswered, told to the visitor", async () => {
      const { sessionId, parent } = await dialed();
      const heard: unknown[] = [];
      const stop = await h.ports.pubsub.subscribe(channels.visitor(sessionId), ({ message }) => {
        heard.push(message);
      });
      await second.trpc.phone.setAvailable.mutate({ available: false });
      const phone = await action(parent, 0, "no-answer");
      expect(phone.text).toContain(`>${BUSINESS_NUMBER}</Number>`);
      expect(attributesOf(phone.text, "Dial")).toMatchObject({ action: actionUrl(2) });

      const end = await action(parent, 2, "no-answer");
      expect(end.text).not.toContain("<Dial");
      expect(await row(sessionId)).toMatchObject({
        status: "no-answer",
        failureReason: "No one answered in time.",
      });
      expect(await stepsOf(sessionId)).toEqual([
        { step: 0, userId: firstId, phoneNumber: null, outcome: "no-answer" },
        { step: 2, userId: null, phoneNumber: BUSINESS_NUMBER, outcome: "no-answer" },
      ]);
      // The widget hears the end as unanswered, and offers the callback form.
      await vi.waitFor(() =>
        expect(heard).toContainEqual({
          type: "ended",
          status: "no-answer",
          reason: "No one answered in time.",
          durationSeconds: 0,
        }),
      );
      await stop();
    });

    it("a member answering a step records who answered; the caller hanging up mid-routing moves nothing", async () => {
      const answered = await dialed();
      await postTwilio(h, env, STATUS, {
        CallSid: callSid(),
        ParentCallSid: answered.parent,
        CallStatus: "in-progress",
        To: `client:agent:${firstId}`,
      });
      expect(await row(answered.sessionId)).toMatchObject({ status: "in-progress", answeredBy: firstId });
      expect(await stepsOf(answered.sessionId)).toEqual([
        { step: 0, userId: firstId, phoneNumber: null, outcome: "answered" },
      ]);

      // The caller left while step 0 rang: no next Dial; the call ends as the network reports it.
      const left = await dialed();
      const gone = await action(left.parent, 0, "no-answer", { CallStatus: "completed" });
      expect(gone.text).not.toContain("<Dial");
      expect(await row(left.sessionId)).toMatchObject({ status: "no-answer", ringStep: 0 });
      expect(await stepsOf(left.sessionId)).toEqual([
        { step: 0, userId: firstId, phoneNumber: null, outcome: "no-answer" },
      ]);
    });

    it("the number removed while the members rang: the routing's end is the callback form, never another number", async () => {
      const { sessionId, parent } = await dialed();
      await second.trpc.phone.setAvailable.mutate({ available: false });
      await h.db.db.update(buttons).set({ phoneNumber: null }).where(eq(buttons.id, inOrder.id));
      const end = await action(parent, 0, "no-answer");
      expect(end.text).not.toContain("<Dial");
      expect(await row(sessionId)).toMatchObject({ status: "no-answer", ringStep: 0 });
      expect(await stepsOf(sessionId)).toEqual([
        { step: 0, userId: firstId, phoneNumber: null, outcome: "no-answer" },
      ]);
      await h.db.db.update(buttons).set({ phoneNumber: BUSINESS_NUMBER }).where(eq(buttons.id, inOrder.id));
    });
  });

  it("does not change how /trpc parses bodies: a form-encoded mutation is still refused", async () => {
    const res = await fetch(`${h.url}/trpc/calls.start`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: SHOP },
      body: new URLSearchParams({ button: button.publicId }).toString(),
    });
    expect(res.status).toBe(415);
  });
});
