/**
 * Email through Resend: the real `resend` SDK pointed at a local stand-in (RESEND_BASE_URL), first
 * on its own, then through the whole app (and its email queue) for each product email.
 */
import type { EmailQueue, Logger, MailMessage, MailTransport } from "@cac/core";
import { sweepStaleCalls } from "@cac/core";
import { insertMember } from "@cac/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createQueuedMailer } from "../src/adapters/queued-mailer";
import { createResendTransport, EmailDeliveryError, resendBaseUrl } from "../src/adapters/resend-transport";
import { collect, withSubscriptions } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { callSid, makeAgentAvailable, postTwilio, setPlan, twilioEnv } from "./fixtures/twilio";
import {
  countRows,
  type Harness,
  startHarness,
  type TestClient,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";
import { RESEND_TEST_KEY, type ResendStandIn, type SentEmail, startResendStandIn } from "./resend-stand-in";
import { deliver, invoiceObject, STRIPE_TEST_ENV, stripeEvent, stripeId } from "./stripe-stand-in";

const FROM = "Click & Call <hello@mail.example.test>";
const message: MailMessage = {
  to: "dana@example.test",
  subject: "Confirm your email for Click & Call",
  text: "Hi Dana,\n\nConfirm email: https://portal.example.test/verify-email?token=t1",
  html: '<p>Hi Dana,</p><p><a href="https://portal.example.test/verify-email?token=t1">Confirm email</a></p>',
};

/** One delivery, as the email queue's worker makes it: the queued row's id, not aborted. */
function deliverOnce(transport: MailTransport, id = crypto.randomUUID()) {
  return transport.deliver(message, { id, queuedAt: new Date(), signal: new AbortController().signal });
}

describe("the Resend adapter, through the real SDK", () => {
  let resend: ResendStandIn;
  let transport: MailTransport;
  beforeAll(async () => {
    resend = await startResendStandIn();
    transport = createResendTransport({ apiKey: RESEND_TEST_KEY, from: FROM, baseUrl: new URL(resend.url) });
  });
  afterAll(() => resend.close());

  it("POSTs /emails with the API key, EMAIL_FROM, both parts and nothing else; the queued id is the idempotency key", async () => {
    const id = crypto.randomUUID();
    await deliverOnce(transport, id);
    const request = resend.requests.at(-1)!;
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/emails");
    expect(request.headers.authorization).toBe(`Bearer ${RESEND_TEST_KEY}`);
    expect(request.headers["content-type"]).toBe("application/json");
    // A retry of the same queued message carries the same key, so Resend sends it once.
    expect(request.headers["idempotency-key"]).toBe(`cac-email/${id}`);
    // Exactly the message: no tags, custom headers, scheduling or tracking options.
    expect(request.body).toEqual({
      from: FROM,
      to: message.to,
      subject: message.subject,
      html: message.html,
      text: message.text,
    });
  });

  it("turns Resend's error answers into a thrown error that carries the message and the cause", async () => {
    resend.failNext(422, { name: "validation_error", message: "Invalid `to` field." });
    const invalid = await deliverOnce(transport).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(EmailDeliveryError);
    expect((invalid as EmailDeliveryError).message).toBe(
      "Resend did not accept the email: Invalid `to` field. (validation_error, HTTP 422)",
    );
    expect((invalid as EmailDeliveryError).statusCode).toBe(422);
    expect((invalid as EmailDeliveryError).cause).toMatchObject({
      name: "validation_error",
      statusCode: 422,
    });

    resend.failNext(500, { name: "internal_server_error", message: "Something went wrong." });
    await expect(deliverOnce(transport)).rejects.toThrow(
      "Resend did not accept the email: Something went wrong. (internal_server_error, HTTP 500)",
    );
  });

  it("a wrong key and an unreachable API are errors too", async () => {
    const wrongKey = createResendTransport({
      apiKey: "re_not_the_key",
      from: FROM,
      baseUrl: new URL(resend.url),
    });
    await expect(deliverOnce(wrongKey)).rejects.toThrow(/API key is invalid.*HTTP 401/);

    const closed = await startResendStandIn();
    const unreachable = createResendTransport({
      apiKey: RESEND_TEST_KEY,
      from: FROM,
      baseUrl: new URL(closed.url),
    });
    await closed.close();
    await expect(deliverOnce(unreachable)).rejects.toThrow(/Unable to fetch data/);
  });

  it("uses the base URL as given, without a trailing slash; the real API when unset", () => {
    expect(resendBaseUrl(undefined)).toBe("https://api.resend.com");
    expect(resendBaseUrl(new URL("http://127.0.0.1:4010"))).toBe("http://127.0.0.1:4010");
    expect(resendBaseUrl(new URL("http://mail.test/resend/"))).toBe("http://mail.test/resend");
  });

  it("in the app, a message that cannot be queued is logged with its cause and does not fail the caller", async () => {
    const errors: unknown[][] = [];
    const log = { error: (...args: unknown[]) => errors.push(args) } as unknown as Logger;
    const down: EmailQueue = {
      enqueue: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      },
    };
    await expect(createQueuedMailer(down, "resend", log).send(message)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    const [fields, text] = errors[0]!;
    expect(text).toBe("email could not be queued");
    expect(fields).toMatchObject({ mailer: "resend", to: message.to, subject: message.subject });
    expect((fields as { err: Error }).err.message).toContain("ECONNREFUSED");
  });
});

type AnyEvent = { type: string; [key: string]: unknown };
const SHOP = "https://shop.test";
const VISITOR_IP = "198.51.100.23";

/** The `token` of the one link to `path` in an email, which both parts must carry. */
function linkToken(mail: SentEmail, path: string): string {
  const pattern = new RegExp(`https?://[^\\s"<]+${path}\\?token=([A-Za-z0-9_-]+)`, "g");
  const inText = [...(mail.text ?? "").matchAll(pattern)].map((m) => m[1]);
  const inHtml = [...(mail.html ?? "").matchAll(pattern)].map((m) => m[1]);
  expect(inText).toHaveLength(1);
  expect(inHtml).toEqual(inText);
  return inText[0]!;
}

function expectBothParts(mail: SentEmail | undefined): asserts mail is SentEmail {
  expect(mail).toBeDefined();
  expect(mail!.from).toBe(FROM);
  expect(mail!.html).toMatch(/^<!doctype html>/);
  expect(mail!.text?.length).toBeGreaterThan(40);
}

function expectNoVisitorIp(mail: SentEmail) {
  for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toContain(VISITOR_IP);
}

describe("the app sends every product email through Resend when RESEND_API_KEY is set", () => {
  let resend: ResendStandIn;
  let h: Harness;
  let owner: TestClient;
  let ownerEmail: string;
  let accountId: string;
  let userId: string;
  const twilio = twilioEnv();
  const PUBLIC_URL = twilio.PUBLIC_URL;

  /** What Resend accepted, once the email queue has delivered everything due. */
  async function sentTo(to?: string) {
    await h.flushEmail();
    return resend.sent(to);
  }

  /** Signs up an owner and confirms the email from the link Resend was given. */
  async function signupThroughResend(email: string) {
    const client = h.client({ ip: uniqueIp() });
    await client.trpc.auth.signup.mutate({ ...validSignup, email });
    const mail = (await sentTo(email)).findLast((m) => m.subject.startsWith("Confirm your email"));
    expectBothParts(mail);
    await client.trpc.auth.verifyEmail.mutate({ token: linkToken(mail, "/verify-email") });
    return client;
  }

  beforeAll(async () => {
    resend = await startResendStandIn();
    h = await startHarness({
      env: {
        ...twilio,
        ...STRIPE_TEST_ENV,
        RESEND_API_KEY: RESEND_TEST_KEY,
        RESEND_BASE_URL: resend.url,
        EMAIL_FROM: FROM,
        // Long enough that the in-process ring timer never fires: the sweeper ends the call.
        RING_TIMEOUT_SECONDS: "300",
      },
      // The sweeper runs by hand, on the test's clock.
      build: { jobs: false },
    });
    ownerEmail = uniqueEmail("owner");
    owner = await signupThroughResend(ownerEmail);
    const me = await owner.trpc.account.me.query();
    accountId = me!.account.id;
    userId = me!.user.id;
  });
  afterAll(async () => {
    await h.close();
    await resend.close();
  });

  it("is in Resend mode, and nothing goes to the dev outbox", async () => {
    expect(h.ports.mailer.mode).toBe("resend");
    expect((await owner.trpc.system.info.query()).modes.mailer).toBe("Resend");
    expect(await countRows(h, "outbox_messages")).toBe(0);
  });

  it("signup: the confirmation email has both parts, the link and never the password", async () => {
    const email = uniqueEmail("signup");
    await h.client({ ip: uniqueIp() }).trpc.auth.signup.mutate({ ...validSignup, email });
    const mails = await sentTo(email);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expectBothParts(mail);
    expect(mail.to).toBe(email);
    expect(mail.subject).toBe("Confirm your email for Click & Call");
    expect(linkToken(mail, "/verify-email")).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(mail.text).toContain(`${PUBLIC_URL}/verify-email?token=`);
    for (const part of [mail.text, mail.html]) expect(part).not.toContain(validSignup.password);
  });

  it("signup still succeeds when Resend refuses the email; the failure is logged with its cause and retried", async () => {
    const logged = vi.spyOn(h.ports.log, "warn");
    try {
      const email = uniqueEmail("down");
      resend.failNext(500, { name: "internal_server_error", message: "Resend is having a bad day." });
      const res = await h.client({ ip: uniqueIp() }).trpc.auth.signup.mutate({ ...validSignup, email });
      expect(res.message).toMatch(/Check your inbox/);
      expect(await sentTo(email)).toHaveLength(0);
      const call = logged.mock.calls.find((args) => args[1] === "email delivery failed; will retry");
      expect(call).toBeDefined();
      const fields = call![0] as unknown as { err: Error; to: string };
      expect(fields.to).toBe(email);
      expect(fields.err.message).toContain("Resend is having a bad day.");
      // The queue tries again after its backoff, and the confirmation goes out once.
      h.clock.advance(30_000);
      const mails = await sentTo(email);
      expect(mails.map((m) => m.subject)).toEqual(["Confirm your email for Click & Call"]);
    } finally {
      logged.mockRestore();
    }
  });

  it("password reset: the link by Resend, then the password-changed notice; no password in either", async () => {
    const client = h.client({ ip: uniqueIp() });
    await client.trpc.auth.requestPasswordReset.mutate({ email: ownerEmail });
    const reset = (await sentTo(ownerEmail)).findLast(
      (m) => m.subject === "Reset your Click & Call password",
    );
    expectBothParts(reset);
    const token = linkToken(reset, "/reset-password");
    const newPassword = "a-brand-new-passphrase-77";
    await client.trpc.auth.resetPassword.mutate({ token, password: newPassword });
    const changed = (await sentTo(ownerEmail)).at(-1);
    expectBothParts(changed);
    expect(changed.subject).toBe("Your Click & Call password was changed");
    for (const mail of [reset, changed])
      for (const part of [mail.text, mail.html]) expect(part).not.toContain(newPassword);
    expect(changed.text).not.toContain(token);
    // The new password works: the email carried the real link.
    await h.client({ ip: uniqueIp() }).trpc.auth.login.mutate({ email: ownerEmail, password: newPassword });
    owner = client;
  });

  it("callback request: the owner gets the visitor's details, escaped in HTML, without their IP", async () => {
    const button = await owner.trpc.buttons.create.mutate(
      validButton({ name: "Callbacks", hours: alwaysOpen, closedBehavior: "callback" }),
    );
    const before = (await sentTo(ownerEmail)).length;
    const visitor = h.client({ origin: SHOP, ip: VISITOR_IP });
    await visitor.trpc.widget.requestCallback.mutate({
      button: button.publicId,
      name: "<script>alert(1)</script>",
      phone: "202-555-0188",
      message: "Leaking pipe\nafter 5pm <b>please</b>",
    });
    const mails = (await sentTo(ownerEmail)).slice(before);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expectBothParts(mail);
    expect(mail.subject).toBe("Callback request from <script>alert(1)</script>");
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    expect(mail.html).toContain("Leaking pipe<br>after 5pm &#60;b&#62;please&#60;/b&#62;");
    expect(mail.text).toContain("<script>alert(1)</script> asked to be called back at +12025550188");
    expect(mail.text).toContain(`${PUBLIC_URL}/callbacks`);
    expectNoVisitorIp(mail);
    await owner.trpc.buttons.delete.mutate({ id: button.id });
  });

  it("missed call (WebRTC): the ring timeout ends the call as no-answer and the owner is emailed once", async () => {
    const button = await owner.trpc.buttons.create.mutate(
      validButton({ name: "Front desk", hours: alwaysOpen, ringPortal: true }),
    );
    // The owner's phone panel is open, so the call rings; nobody answers it.
    const agent = withSubscriptions(h.url, owner);
    const events = collect<AnyEvent>();
    await owner.trpc.phone.setAvailable.mutate({ available: true });
    const sub = agent.phone.events.subscribe(undefined, { onData: (e) => events.push(e.data as AnyEvent) });
    try {
      await makeAgentAvailable(h, userId);
      // The panel's stream is open (the member is reachable) before the visitor calls.
      for (let i = 0; !(await owner.trpc.phone.availability.query()).reachable; i++) {
        if (i > 100) throw new Error("the owner never became reachable");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const visitor = h.client({ origin: SHOP, ip: VISITOR_IP });
      const started = await visitor.trpc.calls.start.mutate({
        button: button.publicId,
        pageUrl: "https://shop.test/pricing?ref=secret-campaign",
      });
      expect(started.transport).toBe("webrtc");
      await events.next((e) => e.type === "ring");
      const before = (await sentTo(ownerEmail)).length;

      // Past the ring timeout (plus the sweeper's grace), on the test's clock.
      expect(await sweepStaleCalls(h.ports, 300)).toBe(0);
      h.clock.advance(306_000);
      expect(await sweepStaleCalls(h.ports, 300)).toBe(1);
      await events.next((e) => e.type === "ended" && e.status === "no-answer");

      const mails = (await sentTo(ownerEmail)).slice(before);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expectBothParts(mail);
      expect(mail.subject).toBe('Missed call on "Front desk"');
      // The harness clock started at 2026-03-01T12:00Z: 7:00 AM in the account's New York time.
      expect(mail.text).toMatch(/on Mar 1, 2026, 7:00\sAM EST, and nobody answered/);
      expect(mail.text).toContain(`See calls: ${PUBLIC_URL}/calls`);
      expectNoVisitorIp(mail);
      for (const part of [mail.text, mail.html]) expect(part).not.toContain("secret-campaign");

      // Once per call: sweeping again finds nothing and sends nothing.
      expect(await sweepStaleCalls(h.ports, 300)).toBe(0);
      expect((await sentTo(ownerEmail)).slice(before)).toHaveLength(1);
    } finally {
      sub.unsubscribe();
      await owner.trpc.phone.setAvailable.mutate({ available: false });
    }
  });

  it("missed call (Twilio): no-answer and busy email the owner once each; an answered call does not", async () => {
    await setPlan(h, owner, "starter");
    const button = await owner.trpc.buttons.create.mutate(
      validButton({
        name: "Phone line",
        hours: alwaysOpen,
        phoneNumber: "(202) 555-0188",
        ringPortal: false,
      }),
    );
    const before = (await sentTo(ownerEmail)).length;

    /** A visitor's Twilio call that reached the business's number and rang. */
    async function ringingCall() {
      const started = await h
        .client({ origin: SHOP, ip: VISITOR_IP })
        .trpc.calls.start.mutate({ button: button.publicId });
      expect(started.transport).toBe("twilio");
      const sid = callSid();
      const voice = await postTwilio(h, twilio, "/webhooks/twilio/voice", {
        AccountSid: twilio.TWILIO_ACCOUNT_SID,
        ApplicationSid: twilio.TWILIO_TWIML_APP_SID,
        CallSid: sid,
        CallStatus: "ringing",
        Direction: "inbound",
        From: `client:${started.sessionId}`,
        To: "",
        session: started.sessionId,
      });
      expect(voice.status).toBe(200);
      return sid;
    }
    const dialOutcome = (sid: string, status: string) => ({
      AccountSid: twilio.TWILIO_ACCOUNT_SID,
      CallSid: sid,
      CallStatus: "in-progress",
      DialCallSid: callSid(),
      DialCallStatus: status,
      ...(status === "completed" ? { DialCallDuration: "42" } : {}),
    });

    const noAnswer = await ringingCall();
    const outcome = dialOutcome(noAnswer, "no-answer");
    expect((await postTwilio(h, twilio, "/webhooks/twilio/status", outcome)).status).toBe(200);
    // Twilio retries deliveries: a replay ends nothing and sends nothing.
    expect((await postTwilio(h, twilio, "/webhooks/twilio/status", outcome)).status).toBe(200);
    let mails = (await sentTo(ownerEmail)).slice(before);
    expect(mails.map((m) => m.subject)).toEqual(['Missed call on "Phone line"']);

    const busy = await ringingCall();
    await postTwilio(h, twilio, "/webhooks/twilio/status", dialOutcome(busy, "busy"));
    const answered = await ringingCall();
    await postTwilio(h, twilio, "/webhooks/twilio/status", dialOutcome(answered, "completed"));
    mails = (await sentTo(ownerEmail)).slice(before);
    expect(mails.map((m) => m.subject)).toEqual([
      'Missed call on "Phone line"',
      'Missed call on "Phone line"',
    ]);
    for (const mail of mails) {
      expectBothParts(mail);
      expectNoVisitorIp(mail);
    }
  });

  it("missed calls go only to owners with a confirmed email", async () => {
    // A second owner of the account who never confirmed the address.
    const unconfirmed = uniqueEmail("unconfirmed");
    await insertMember(h.db.db, {
      accountId,
      email: unconfirmed,
      name: "Sam Unconfirmed",
      passwordHash: "unused",
      role: "owner",
      emailVerifiedAt: null,
      ageConfirmedAt: h.clock.now(),
    });
    const { callSessions } = await import("@cac/db");
    await h.db.db.insert(callSessions).values({
      accountId,
      transport: "webrtc",
      status: "ringing",
      startedAt: h.clock.now(),
      visitorIp: VISITOR_IP,
    });
    const before = (await sentTo(ownerEmail)).length;
    h.clock.advance(306_000);
    expect(await sweepStaleCalls(h.ports, 300)).toBe(1);
    expect(await sentTo(unconfirmed)).toHaveLength(0);
    expect((await sentTo(ownerEmail)).slice(before).map((m) => m.subject)).toEqual([
      'Missed call on "(deleted button)"',
    ]);
  });

  it("payment failed: the owner is emailed, with the retry day in the account's timezone", async () => {
    const invoice = invoiceObject({
      id: stripeId("in"),
      customer: stripeId("cus"),
      subscription: stripeId("sub"),
      accountId,
      amountCents: 2900,
      status: "open",
      // 03:00 UTC on March 4 is still March 3 in New York.
      nextPaymentAttempt: "2026-03-04T03:00:00Z",
    });
    const before = (await sentTo(ownerEmail)).length;
    const res = await deliver(h.url, stripeEvent("invoice.payment_failed", invoice, "2026-03-01T10:00:00Z"));
    expect(res.status).toBe(200);
    const mails = (await sentTo(ownerEmail)).slice(before);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expectBothParts(mail);
    expect(mail.subject).toBe("Your Click & Call payment didn't go through");
    expect(mail.text).toContain("We couldn't collect $29.00 for your Starter plan.");
    expect(mail.text).toContain("We'll try again on March 3, 2026.");
    expect(mail.text).toContain(`${PUBLIC_URL}/billing`);
    expect(mail.html).toContain(`href="${PUBLIC_URL}/billing"`);
  });
});
