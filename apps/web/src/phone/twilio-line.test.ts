// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LineEvents } from "./call-line";
import { PhoneController } from "./controller";
import { TwilioLine, type VoiceCall, type VoiceDevice } from "./twilio-line";

/**
 * The phone panel with Twilio configured: calls that `<Client>` rings arrive through the Voice
 * SDK. The SDK cannot reach Twilio here, so a stand-in Device and Call record what the panel asks
 * of them and let the test emit the SDK's events.
 */

type Listener = (...args: never[]) => void;

class Emitter {
  private listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const listener of this.listeners.get(event) ?? []) (listener as (...a: unknown[]) => void)(...args);
  }
}

class FakeCall extends Emitter {
  accepted = 0;
  rejected = 0;
  disconnected = 0;
  muted: boolean[] = [];
  constructor(readonly customParameters: Map<string, string>) {
    super();
  }
  accept() {
    this.accepted++;
  }
  reject() {
    this.rejected++;
  }
  disconnect() {
    this.disconnected++;
  }
  mute(muted: boolean) {
    this.muted.push(muted);
  }
}

class FakeDevice extends Emitter {
  registered = 0;
  destroyed = 0;
  tokens: string[] = [];
  constructor(token: string) {
    super();
    this.tokens.push(token);
  }
  async register() {
    this.registered++;
  }
  updateToken(token: string) {
    this.tokens.push(token);
  }
  destroy() {
    this.destroyed++;
  }
}

const SESSION = "0b6f9f7e-2f7e-4f4e-8d55-5a4a3cf7d9a1";
let devices: FakeDevice[];
let tokenCount: number;
let mutations: string[];
let voiceLine: () => Promise<unknown>;

function fakeClient() {
  const mutation = (path: string) => ({
    mutate: async () => {
      mutations.push(path);
      return { ok: true };
    },
  });
  return {
    phone: {
      setAvailable: mutation("setAvailable"),
      decline: mutation("decline"),
      hangUp: mutation("hangUp"),
      voiceLine: { query: () => voiceLine() },
      events: { subscribe: () => ({ unsubscribe() {} }) },
    },
  };
}

const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

function incoming(params: Record<string, string>) {
  const call = new FakeCall(new Map(Object.entries(params)));
  devices[0]!.emit("incoming", call as unknown as VoiceCall);
  return call;
}

let phone: PhoneController;

async function availableWithTwilio() {
  phone = new PhoneController(fakeClient() as never, "user-1", {
    createDevice: async (token) => {
      const device = new FakeDevice(token);
      devices.push(device);
      return device as unknown as VoiceDevice;
    },
  });
  await phone.setAvailable(true);
  await until(() => devices[0]?.registered);
}

beforeEach(() => {
  devices = [];
  tokenCount = 0;
  mutations = [];
  voiceLine = async () => ({
    mode: "twilio",
    identity: "agent:user-1",
    token: `token-${++tokenCount}`,
    ttlSeconds: 3600,
  });
  localStorage.clear();
});

afterEach(() => phone?.dispose());

describe("the phone panel with Twilio Voice", () => {
  it("registers a Device with the agent's token once available, and renews the token before it expires", async () => {
    await availableWithTwilio();
    expect(devices).toHaveLength(1);
    expect(devices[0]!.tokens).toEqual(["token-1"]);
    devices[0]!.emit("tokenWillExpire");
    await until(() => devices[0]!.tokens.length === 2);
    expect(devices[0]!.tokens).toEqual(["token-1", "token-2"]);
  });

  it("no Device without Twilio: the panel stays on the live feed alone", async () => {
    let asked = 0;
    voiceLine = async () => {
      asked++;
      return { mode: "webrtc" };
    };
    phone = new PhoneController(fakeClient() as never, "user-1", {
      createDevice: async (token) => {
        devices.push(new FakeDevice(token));
        return devices.at(-1) as unknown as VoiceDevice;
      },
    });
    await phone.setAvailable(true);
    await until(() => asked === 1);
    expect(devices).toHaveLength(0);
    expect(phone.state.notice).toBeNull();
  });

  it("a <Client> call rings with its button and page; answering accepts it, mute and hang up go to the SDK", async () => {
    await availableWithTwilio();
    const call = incoming({ session: SESSION, button: "Main site", page: "https://shop.test/pricing" });
    expect(phone.state.ringing).toMatchObject([
      { sessionId: SESSION, buttonName: "Main site", pageUrl: "https://shop.test/pricing", via: "twilio" },
    ]);
    expect(phone.state.announcement).toBe("Incoming call from Main site, on shop.test/pricing.");

    await phone.answer(SESSION);
    expect(call.accepted).toBe(1);
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.call).toMatchObject({ sessionId: SESSION, phase: "connecting" });
    call.emit("accept");
    expect(phone.state.call).toMatchObject({ phase: "connected" });
    expect(phone.state.call?.answeredAt).toEqual(expect.any(Number));

    phone.toggleMute();
    expect(call.muted).toEqual([true]);
    expect(phone.state.call?.muted).toBe(true);

    phone.hangUp();
    expect(call.disconnected).toBe(1);
    expect(phone.state.call).toMatchObject({ phase: "ended", endedText: "You hung up." });
    // Twilio's status callbacks end the session on the server; the WebRTC mutation is not used.
    expect(mutations).toEqual(["setAvailable"]);
  });

  it("the caller hanging up while it rings stops the ring; the other side hanging up ends the call", async () => {
    await availableWithTwilio();
    const first = incoming({ session: SESSION, button: "Main site" });
    first.emit("cancel");
    expect(phone.state.ringing).toEqual([]);

    const other = "5d0b1f3a-8c57-4a49-9f3e-0d6e2c7b8a90";
    const second = incoming({ session: other, button: "Sales" });
    await phone.answer(other);
    second.emit("accept");
    second.emit("disconnect");
    expect(phone.state.call).toMatchObject({
      sessionId: other,
      phase: "ended",
      endedText: "The call ended.",
    });
  });

  it("declining rejects only this browser's leg; a call without a session is rejected unseen", async () => {
    await availableWithTwilio();
    const call = incoming({ session: SESSION, button: "Main site" });
    await phone.decline(SESSION);
    expect(call.rejected).toBe(1);
    expect(phone.state.ringing).toEqual([]);
    expect(mutations).toEqual(["setAvailable"]);

    const stray = incoming({});
    expect(stray.rejected).toBe(1);
    expect(phone.state.ringing).toEqual([]);
  });

  it("an SDK error in a call ends it with the reason; turning calls off unregisters the Device", async () => {
    await availableWithTwilio();
    const call = incoming({ session: SESSION, button: "Main site" });
    await phone.answer(SESSION);
    call.emit("error", { message: "Media connection failed" });
    expect(phone.state.call).toMatchObject({
      phase: "ended",
      endedText: "Twilio Voice: Media connection failed",
    });

    await phone.setAvailable(false);
    expect(devices[0]!.destroyed).toBe(1);
  });

  it("a Device that cannot register explains why, and the WebRTC feed keeps working", async () => {
    phone = new PhoneController(fakeClient() as never, "user-1", {
      createDevice: async () => {
        throw new Error("Twilio is unreachable");
      },
    });
    await phone.setAvailable(true);
    await until(() => phone.state.notice);
    expect(phone.state.notice?.text).toBe(
      "Calls to phone-number buttons can't ring here: Twilio is unreachable",
    );
    expect(phone.state.available).toBe(true);
  });
});

describe("the Twilio line on its own", () => {
  /** Records what the line reports, as the panel's UI state would receive it. */
  function recordingLine() {
    const reported: unknown[][] = [];
    const record =
      (name: keyof LineEvents) =>
      (...args: unknown[]) =>
        void reported.push([name, ...args]);
    const events: LineEvents = {
      ring: record("ring"),
      gone: record("gone"),
      connecting: record("connecting"),
      connected: record("connected"),
      ended: record("ended"),
      failed: record("failed"),
    };
    const line = new TwilioLine(
      async () => "token-2",
      events,
      async (token) => {
        const device = new FakeDevice(token);
        devices.push(device);
        return device as unknown as VoiceDevice;
      },
    );
    return { line, reported };
  }

  it("reports the ring, then the answer as connecting with the timer left to the audio, then the hang-up", async () => {
    const { line, reported } = recordingLine();
    await line.start("token-1");
    const call = incoming({ session: SESSION, button: "Main site", page: "https://shop.test/" });
    expect(reported[0]).toMatchObject([
      "ring",
      { sessionId: SESSION, buttonName: "Main site", via: "twilio" },
    ]);

    expect(await line.answer({ sessionId: SESSION } as never)).toBeNull();
    expect(reported.at(-1)).toEqual(["connecting", SESSION, null]);
    expect(call.accepted).toBe(1);
    call.emit("accept");
    expect(reported.at(-1)).toEqual(["connected", SESSION]);
    call.emit("disconnect");
    expect(reported.at(-1)).toEqual(["ended", SESSION, "The call ended."]);
    line.stop();
    expect(devices[0]!.destroyed).toBe(1);
  });

  it("declining rejects this browser's leg and reports the call gone from here", async () => {
    const { line, reported } = recordingLine();
    await line.start("token-1");
    const call = incoming({ session: SESSION });
    await line.decline(SESSION);
    expect(call.rejected).toBe(1);
    expect(reported.at(-1)).toEqual(["gone", SESSION]);
    line.stop();
  });
});
