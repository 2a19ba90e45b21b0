/**
 * Push notifications end to end: the server's real web-push sends to a push service on loopback
 * HTTPS (push-service-stand-in.ts), which decrypts every payload with the subscription's own keys
 * and checks the VAPID JWT, as a browser and a push service would.
 */
import { createHash } from "node:crypto";
import type { PushPayload } from "@cac/core/domain";
import { PUSH_ACTIVE_MS, PUSH_COLD_START_SECONDS } from "@cac/core/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";
import {
  decryptPush,
  type PushServiceStandIn,
  type ReceivedPush,
  startPushService,
  vapidKeys,
  verifyVapid,
} from "./push-service-stand-in";

const SHOP = "https://shop.test";
const SUBJECT = "mailto:ops@clickandcall.test";
/** Shorter than the cold start, so a ring of push-only members visibly waits longer. */
const RING_TIMEOUT_SECONDS = 10;

type Device = ReturnType<PushServiceStandIn["subscription"]>;

let push: PushServiceStandIn;
let h: Harness;
/** The server's log lines (info and up). */
const logs: string[] = [];
const vapid = vapidKeys();

beforeAll(async () => {
  push = await startPushService();
  h = await startHarness({
    env: {
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: SUBJECT,
      RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS),
      LOG_LEVEL: "info",
    },
    // Calls are ended by hand; the push requests trust the stand-in's certificate.
    build: { jobs: false, pushAgent: push.agent, logStream: { write: (line) => logs.push(line) } },
  });
}, HARNESS_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  await push?.close();
}, HARNESS_TIMEOUT_MS);

async function subscribe(client: TestClient, label = "Chrome on Android"): Promise<Device> {
  const device = push.subscription();
  await client.trpc.notifications.subscribe.mutate({ endpoint: device.endpoint, keys: device.keys, label });
  return device;
}

function payloadOf(received: ReceivedPush, device: Device): PushPayload {
  return JSON.parse(decryptPush(received.body, device.browser)) as PushPayload;
}

/** The pushes a device received, decrypted, once there are `count`. */
async function payloads(device: Device, count = 1): Promise<PushPayload[]> {
  const found = await push.pushesTo(device.endpoint, count);
  return found.map((received) => payloadOf(received, device));
}

/** Pushes go out after the response: what arrives within this has had its chance. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

async function owner() {
  const { client, email } = await signupVerified(h);
  const me = await client.trpc.account.me.query();
  if (!me) throw new Error("not signed in");
  return { client, email, accountId: me.account.id, userId: me.user.id, name: me.user.name };
}

const visitor = () => h.client({ origin: SHOP, ip: uniqueIp() });

describe("encryption and VAPID", () => {
  it("sends the test notification encrypted for the device (RFC 8291) and signed with the server's key", async () => {
    const { client, accountId } = await owner();
    const device = await subscribe(client);
    const sentAt = Math.floor(Date.now() / 1000);
    expect(await client.trpc.notifications.sendTest.mutate()).toEqual({ sent: 1, removed: 0 });
    const [received] = await push.pushesTo(device.endpoint);
    if (!received) throw new Error("no push arrived");
    expect(received.headers["content-encoding"]).toBe("aes128gcm");
    expect(received.headers.ttl).toBe(String(24 * 60 * 60));
    expect(received.headers.urgency).toBe("normal");
    expect(payloadOf(received, device)).toEqual({
      type: "test",
      title: "Test notification",
      body: "Notifications from Click & Call reach this device.",
      tag: "test",
      url: "/",
      accountId,
    });
    // Another browser's keys cannot read it.
    expect(() => decryptPush(received.body, push.subscription().browser)).toThrow();
    const { claims, publicKey } = verifyVapid(received.headers.authorization as string);
    expect(publicKey).toBe(vapid.publicKey);
    expect(claims.aud).toBe(push.origin);
    expect(claims.sub).toBe(SUBJECT);
    expect(claims.exp).toBeGreaterThan(sentAt);
    expect(claims.exp).toBeLessThanOrEqual(sentAt + 24 * 60 * 60 + 5);
  });

  it("tells the portal push is on, with the key to subscribe with and the cold start", async () => {
    const { client } = await owner();
    expect(await client.trpc.notifications.config.query()).toEqual({
      enabled: true,
      publicKey: vapid.publicKey,
      coldStartSeconds: PUSH_COLD_START_SECONDS,
    });
    expect((await client.trpc.system.info.query()).modes.push).toBe("Web Push (VAPID)");
  });
});

describe("devices", () => {
  it("keeps several devices per member, each reached with its own keys", async () => {
    const { client } = await owner();
    const phone = await subscribe(client, "Chrome on Android");
    const laptop = await subscribe(client, "Firefox on Linux");
    const devices = await client.trpc.notifications.devices.query();
    expect(devices.map((d) => d.label).sort()).toEqual(["Chrome on Android", "Firefox on Linux"]);
    expect(devices.map((d) => d.endpointHash).sort()).toEqual(
      [phone, laptop].map((d) => createHash("sha256").update(d.endpoint).digest("hex")).sort(),
    );
    expect(JSON.stringify(devices)).not.toContain(phone.keys.auth);
    expect(await client.trpc.notifications.sendTest.mutate()).toEqual({ sent: 2, removed: 0 });
    expect((await payloads(phone))[0]?.type).toBe("test");
    expect((await payloads(laptop))[0]?.type).toBe("test");
  });

  it("subscribing an endpoint again updates it, and moves it to whoever subscribed it last", async () => {
    const first = await owner();
    const second = await owner();
    const device = await subscribe(first.client, "Shared desktop");
    await second.client.trpc.notifications.subscribe.mutate({
      endpoint: device.endpoint,
      keys: device.keys,
      label: "Shared desktop (mine now)",
    });
    expect(await first.client.trpc.notifications.devices.query()).toEqual([]);
    expect((await second.client.trpc.notifications.devices.query()).map((d) => d.label)).toEqual([
      "Shared desktop (mine now)",
    ]);
  });

  it("removes a member's own device, and refuses another member's as not found", async () => {
    const mine = await owner();
    const theirs = await owner();
    await subscribe(mine.client);
    await subscribe(theirs.client);
    const [theirDevice] = await theirs.client.trpc.notifications.devices.query();
    const refused = await expectTrpcError(
      mine.client.trpc.notifications.unsubscribe.mutate({ id: theirDevice?.id ?? "" }),
    );
    expect(refused.data?.code).toBe("NOT_FOUND");
    expect(await theirs.client.trpc.notifications.devices.query()).toHaveLength(1);
    const [myDevice] = await mine.client.trpc.notifications.devices.query();
    expect(await mine.client.trpc.notifications.unsubscribe.mutate({ id: myDevice?.id ?? "" })).toEqual({
      ok: true,
    });
    expect(await mine.client.trpc.notifications.devices.query()).toEqual([]);
  });

  it("deletes a subscription the push service says is gone (404, 410), and keeps one it failed to reach", async () => {
    const { client } = await owner();
    const gone = await subscribe(client, "gone");
    const expired = await subscribe(client, "expired");
    const flaky = await subscribe(client, "flaky");
    const fine = await subscribe(client, "fine");
    push.answer(gone.endpoint, 410);
    push.answer(expired.endpoint, 404);
    push.answer(flaky.endpoint, 503);
    expect(await client.trpc.notifications.sendTest.mutate()).toEqual({ sent: 1, removed: 2 });
    expect((await client.trpc.notifications.devices.query()).map((d) => d.label).sort()).toEqual([
      "fine",
      "flaky",
    ]);
    expect(await push.pushesTo(fine.endpoint)).toHaveLength(1);
    // Logged by the push service's origin and the row's id: never the endpoint's path or the keys.
    const lines = logs.filter((line) => line.includes("push"));
    expect(lines.filter((line) => line.includes("push subscription expired; deleted"))).toHaveLength(2);
    const failed = lines.find((line) => line.includes("push not delivered"));
    expect(JSON.parse(failed ?? "{}")).toMatchObject({ level: 40, pushService: push.origin, status: 503 });
    for (const device of [gone, expired, flaky, fine]) {
      const secrets = [new URL(device.endpoint).pathname, device.keys.p256dh, device.keys.auth];
      for (const secret of secrets) expect(logs.join("\n")).not.toContain(secret);
    }
    expect(logs.join("\n")).not.toContain(vapid.privateKey);
  });

  it("records that a device's portal is open (touch), and says when the device is not subscribed", async () => {
    const { client } = await owner();
    const device = await subscribe(client);
    h.clock.advance(60_000);
    expect(await client.trpc.notifications.touch.mutate({ endpoint: device.endpoint })).toEqual({ ok: true });
    const [listed] = await client.trpc.notifications.devices.query();
    expect(listed?.lastActiveAt).toBe(h.clock.now().toISOString());
    const unknown = await expectTrpcError(
      client.trpc.notifications.touch.mutate({ endpoint: `${push.origin}/push/${unique()}` }),
    );
    expect(unknown.data?.code).toBe("NOT_FOUND");
  });

  it("lists the devices and choices in the account's data export, without endpoints or keys", async () => {
    const { client } = await owner();
    const device = await subscribe(client, "Safari on iPhone");
    await client.trpc.notifications.updatePreferences.mutate({ emailDailySummary: true });
    const response = await client.fetch(`${h.url}/exports/account.json`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const data = JSON.parse(text) as {
      users: Array<{
        pushDevices: Array<Record<string, unknown>>;
        notificationPreferences: Record<string, unknown>;
      }>;
    };
    expect(data.users[0]?.pushDevices.map((d) => Object.keys(d).sort())).toEqual([
      ["createdAt", "label", "lastActiveAt"],
    ]);
    expect(data.users[0]?.notificationPreferences).toMatchObject({
      emailDailySummary: true,
      pushIncomingCall: true,
    });
    for (const secret of [device.endpoint, device.keys.p256dh, device.keys.auth])
      expect(text).not.toContain(secret);
  });

  it("refuses an endpoint that is not https, with a reason", async () => {
    const { client } = await owner();
    const device = push.subscription();
    const refused = await expectTrpcError(
      client.trpc.notifications.subscribe.mutate({
        endpoint: device.endpoint.replace("https:", "http:"),
        keys: device.keys,
        label: "x",
      }),
    );
    expect(refused.data?.httpStatus).toBe(400);
    expect(refused.data?.fieldErrors?.endpoint?.[0]).toMatch(/https/);
  });
});

describe("calls", () => {
  it("rings a member reachable only by push: 'Call from <page>' with Answer and Decline, waiting for a cold start", async () => {
    const { client, accountId } = await owner();
    const button = await client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    await client.trpc.phone.setAvailable.mutate({ available: true });
    const device = await subscribe(client);
    // No panel open: the device makes the member reachable.
    expect((await client.trpc.phone.availability.query()).reachable).toBe(true);
    const caller = visitor();
    const started = await caller.trpc.calls.start.mutate({
      button: button.publicId,
      pageUrl: "https://www.shop.test/pricing/?utm_source=x#top",
      context: { utmSource: "google", utmMedium: "cpc", utmCampaign: "spring-sale", device: "mobile" },
    });
    if (started.transport !== "webrtc") throw new Error("expected a browser call");
    expect(started.ringTimeoutSeconds).toBe(PUSH_COLD_START_SECONDS);
    const [ring] = await push.pushesTo(device.endpoint);
    if (!ring) throw new Error("no push arrived");
    expect(ring.headers.ttl).toBe("60");
    expect(ring.headers.urgency).toBe("high");
    expect(payloadOf(ring, device)).toEqual({
      type: "incoming_call",
      title: "Call from shop.test/pricing",
      // Who is calling, as the ring panel says it.
      body: "Main site\nfrom Google Ads, campaign spring-sale, on mobile",
      tag: `call-${started.sessionId}`,
      url: `/?answer=${started.sessionId}&account=${accountId}`,
      callId: started.sessionId,
      accountId,
      actions: [
        { action: "answer", title: "Answer" },
        { action: "decline", title: "Decline" },
      ],
    });
    // The visitor gives up: the ring's notification is replaced (same tag).
    await caller.trpc.calls.hangUp.mutate({
      button: button.publicId,
      sessionId: started.sessionId,
      token: started.token,
    });
    const [, ended] = await payloads(device, 2);
    expect(ended).toMatchObject({
      type: "call_taken",
      tag: `call-${started.sessionId}`,
      body: "This call has ended.",
      callId: started.sessionId,
    });
  });

  it("tells the other members' devices who took the call; a member with incoming-call pushes off gets none", async () => {
    const boss = await owner();
    const button = await boss.client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    const panel = await readyToAnswer(h.url, boss.client);
    const away = await loginAgent(h, boss.accountId);
    await away.client.trpc.phone.setAvailable.mutate({ available: true });
    const awayDevice = await subscribe(away.client);
    // A member at their panel who turned incoming-call pushes off: rung there, not on the device.
    const quiet = await loginAgent(h, boss.accountId);
    const quietPanel = await readyToAnswer(h.url, quiet.client);
    const quietDevice = await subscribe(quiet.client);
    await quiet.client.trpc.notifications.updatePreferences.mutate({ pushIncomingCall: false });
    try {
      const started = await visitor().trpc.calls.start.mutate({
        button: button.publicId,
        pageUrl: "https://shop.test/",
      });
      // Someone has a panel open: no cold start.
      if (started.transport !== "webrtc") throw new Error("expected a browser call");
      expect(started.ringTimeoutSeconds).toBe(RING_TIMEOUT_SECONDS);
      const [ring] = await payloads(awayDevice);
      expect(ring).toMatchObject({ type: "incoming_call", title: "Call from shop.test" });
      await boss.client.trpc.phone.answer.mutate({ sessionId: started.sessionId });
      const [, taken] = await payloads(awayDevice, 2);
      expect(taken).toMatchObject({
        type: "call_taken",
        tag: `call-${started.sessionId}`,
        body: `Taken by ${boss.name}`,
      });
      await settle();
      expect(await push.pushesTo(quietDevice.endpoint, 1, 0)).toEqual([]);
    } finally {
      panel.drop();
      quietPanel.drop();
    }
  });

  it("in order, gives a step that rings only a push-reachable member the cold start, and not one at a panel", async () => {
    const boss = await owner();
    const button = await boss.client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    const panel = await readyToAnswer(h.url, boss.client);
    const away = await loginAgent(h, boss.accountId);
    await away.client.trpc.phone.setAvailable.mutate({ available: true });
    const device = await subscribe(away.client);
    const awayId = (await away.client.trpc.account.me.query())?.user.id ?? "";
    try {
      await boss.client.trpc.buttons.setRouting.mutate({
        id: button.id,
        who: "chosen",
        strategy: "in-order",
        stepSeconds: 15,
        members: [
          { userId: boss.userId, ringSeconds: null },
          { userId: awayId, ringSeconds: null },
        ],
      });
      const started = await visitor().trpc.calls.start.mutate({ button: button.publicId });
      if (started.transport !== "webrtc") throw new Error("expected a browser call");
      // 15 s at the owner's panel, then at least the cold start on the agent's phone.
      expect(started.ringTimeoutSeconds).toBe(15 + PUSH_COLD_START_SECONDS);
      // The first step rings the owner's panel only: the agent's phone hears of it at its own step.
      await settle();
      expect(await push.pushesTo(device.endpoint, 1, 0)).toEqual([]);
    } finally {
      panel.drop();
    }
  });

  it("counts push-reachable members only while a device was active within PUSH_ACTIVE_MS", async () => {
    const { client } = await owner();
    await client.trpc.phone.setAvailable.mutate({ available: true });
    const device = await subscribe(client);
    expect((await client.trpc.team.members.query()).map((m) => m.reachable)).toEqual([true]);
    h.clock.advance(PUSH_ACTIVE_MS + 1000);
    expect((await client.trpc.team.members.query()).map((m) => m.reachable)).toEqual([false]);
    await client.trpc.notifications.touch.mutate({ endpoint: device.endpoint });
    expect((await client.trpc.team.members.query()).map((m) => m.reachable)).toEqual([true]);
    // Incoming-call pushes off: the device no longer makes the member reachable.
    await client.trpc.notifications.updatePreferences.mutate({ pushIncomingCall: false });
    expect((await client.trpc.team.members.query()).map((m) => m.reachable)).toEqual([false]);
  });
});

describe("missed calls and callbacks, by preference", () => {
  /** An owner whose device is subscribed but asleep (not recently active), so calls go unanswered. */
  async function ownerAway() {
    const who = await owner();
    const device = await subscribe(who.client);
    const button = await who.client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    h.clock.advance(PUSH_ACTIVE_MS + 1000);
    return { ...who, device, button };
  }

  async function missACall(publicId: string) {
    const refused = await expectTrpcError(visitor().trpc.calls.start.mutate({ button: publicId }));
    expect(refused.data?.appCode).toBe("NO_AGENT_AVAILABLE");
  }

  const missedEmails = async (to: string) =>
    (await h.outbox(to)).filter((mail) => mail.subject.startsWith("Missed call"));

  it("pushes and emails a missed call by default", async () => {
    const away = await ownerAway();
    await missACall(away.button.publicId);
    const [missed] = await payloads(away.device);
    expect(missed).toMatchObject({
      type: "missed_call",
      title: "Missed call",
      url: "/calls",
      accountId: away.accountId,
    });
    expect(await missedEmails(away.email)).toHaveLength(1);
  });

  it("sends no missed-call email to an owner who turned it off, and no push to one who turned that off", async () => {
    const noEmail = await ownerAway();
    await noEmail.client.trpc.notifications.updatePreferences.mutate({ emailMissedCall: false });
    await missACall(noEmail.button.publicId);
    expect((await payloads(noEmail.device))[0]?.type).toBe("missed_call");
    expect(await missedEmails(noEmail.email)).toEqual([]);

    const noPush = await ownerAway();
    expect(
      await noPush.client.trpc.notifications.updatePreferences.mutate({ pushMissedCall: false }),
    ).toMatchObject({ pushMissedCall: false, emailMissedCall: true, emailDailySummary: false });
    await missACall(noPush.button.publicId);
    expect(await missedEmails(noPush.email)).toHaveLength(1);
    await settle();
    expect(await push.pushesTo(noPush.device.endpoint, 1, 0)).toEqual([]);
  });

  it("pushes a new callback request, and emails it unless the owner turned that off", async () => {
    const away = await ownerAway();
    await h.client({ origin: SHOP, ip: uniqueIp() }).trpc.widget.requestCallback.mutate({
      button: away.button.publicId,
      name: "Pat Visitor",
      phone: "(202) 555-0100",
    });
    const [callback] = await payloads(away.device);
    expect(callback).toMatchObject({
      type: "callback",
      title: "Callback request",
      body: "Pat Visitor asked to be called back (Main site).",
      url: "/callbacks",
    });
    expect((await h.outbox(away.email)).filter((m) => m.subject.includes("Pat Visitor"))).toHaveLength(1);

    const quiet = await ownerAway();
    await quiet.client.trpc.notifications.updatePreferences.mutate({
      emailCallback: false,
      pushCallback: false,
    });
    await h.client({ origin: SHOP, ip: uniqueIp() }).trpc.widget.requestCallback.mutate({
      button: quiet.button.publicId,
      name: "Sam Visitor",
      phone: "(202) 555-0101",
    });
    await settle();
    expect((await h.outbox(quiet.email)).filter((m) => m.subject.includes("Sam Visitor"))).toEqual([]);
    expect(await push.pushesTo(quiet.device.endpoint, 1, 0)).toEqual([]);
  });
});

describe("push off (no VAPID keys)", () => {
  let off: Harness;
  beforeAll(async () => {
    off = await startHarness({ build: { jobs: false } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => off?.close(), HARNESS_TIMEOUT_MS);

  it("says so in the config, and refuses subscriptions and tests with a clear message", async () => {
    const { client } = await signupVerified(off);
    expect(await client.trpc.notifications.config.query()).toEqual({
      enabled: false,
      publicKey: null,
      coldStartSeconds: PUSH_COLD_START_SECONDS,
    });
    const device = push.subscription();
    const refused = await expectTrpcError(
      client.trpc.notifications.subscribe.mutate({
        endpoint: device.endpoint,
        keys: device.keys,
        label: "x",
      }),
    );
    expect(refused.data?.httpStatus).toBe(400);
    expect(refused.message).toBe("Push notifications are off on this server.");
    expect((await client.trpc.system.info.query()).modes.push).toBe("off (no VAPID keys)");
    const test = await expectTrpcError(client.trpc.notifications.sendTest.mutate());
    expect(test.message).toBe("Push notifications are off on this server.");
    // Preferences still work: emails follow them.
    expect(await client.trpc.notifications.preferences.query()).toEqual({
      pushIncomingCall: true,
      pushMissedCall: true,
      pushCallback: true,
      emailMissedCall: true,
      emailCallback: true,
      emailDailySummary: false,
    });
  });
});
