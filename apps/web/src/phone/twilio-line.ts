/**
 * The agent's Twilio Voice line: with Twilio configured, a button that rings a phone number also
 * rings the portal's available agents through `<Client>`, and those calls arrive here through the
 * Voice SDK (loaded only then) instead of the live feed and WebRTC.
 */
import type { AnswerRefusal, CallLine, LineEvents } from "./call-line";
import type { RingingCall } from "./types";

/** The part of the SDK's Call this line uses. */
export type VoiceCall = {
  readonly customParameters: Map<string, string>;
  accept(): void;
  reject(): void;
  disconnect(): void;
  mute(muted: boolean): void;
  on(event: "accept" | "cancel" | "disconnect" | "reject", listener: () => void): unknown;
  on(event: "error", listener: (error: { message?: string }) => void): unknown;
};

/** The part of the SDK's Device this line uses. */
export type VoiceDevice = {
  register(): Promise<void>;
  updateToken(token: string): void;
  destroy(): void;
  on(event: "incoming", listener: (call: VoiceCall) => void): unknown;
  on(event: "tokenWillExpire", listener: () => void): unknown;
  on(event: "error", listener: (error: { message?: string }) => void): unknown;
};

export type DeviceFactory = (token: string) => Promise<VoiceDevice>;

export const loadTwilioDevice: DeviceFactory = async (token) => {
  const { Device } = await import("@twilio/voice-sdk");
  // closeProtection: leaving the page in a call asks first, as the WebRTC panel's hang-up does.
  return new Device(token, { logLevel: "error", closeProtection: true }) as unknown as VoiceDevice;
};

const describe = (error: { message?: string } | null | undefined) =>
  error?.message ? `Twilio Voice: ${error.message}` : "Twilio Voice failed.";

export class TwilioLine implements CallLine {
  private device: VoiceDevice | null = null;
  private readonly calls = new Map<string, VoiceCall>();
  private stopped = false;

  constructor(
    private readonly fetchToken: () => Promise<string>,
    private readonly events: LineEvents,
    private readonly createDevice: DeviceFactory = loadTwilioDevice,
  ) {}

  /** Registers the agent with Twilio so `<Client>` can ring this browser. */
  async start(token: string) {
    const device = await this.createDevice(token);
    if (this.stopped) {
      device.destroy();
      return;
    }
    this.device = device;
    device.on("incoming", (call) => this.onIncoming(call));
    device.on("error", (error) => this.events.failed(describe(error), null));
    device.on("tokenWillExpire", () => {
      this.fetchToken().then(
        (token) => this.device === device && device.updateToken(token),
        (error: { message?: string }) => this.events.failed(describe(error), null),
      );
    });
    await device.register();
  }

  private onIncoming(call: VoiceCall) {
    const sessionId = call.customParameters.get("session");
    if (!sessionId) {
      // Not one of this product's calls: nothing to show, so nothing may ring.
      call.reject();
      return;
    }
    this.calls.set(sessionId, call);
    const forget = () => this.calls.delete(sessionId);
    call.on("cancel", () => {
      forget();
      this.events.gone(sessionId);
    });
    call.on("accept", () => this.events.connected(sessionId));
    call.on("disconnect", () => {
      forget();
      this.events.ended(sessionId, "The call ended.");
    });
    call.on("error", (error) => this.events.failed(describe(error), sessionId));
    this.events.ring({
      sessionId,
      buttonId: null,
      buttonName: call.customParameters.get("button") ?? "Call button",
      pageUrl: call.customParameters.get("page") ?? null,
      startedAt: new Date().toISOString(),
      via: "twilio",
    });
  }

  /** The SDK asks for the microphone and connects; the call's events move it on. */
  async answer({ sessionId }: RingingCall): Promise<AnswerRefusal | null> {
    this.events.connecting(sessionId, null);
    this.calls.get(sessionId)?.accept();
    return null;
  }

  /** Only this browser's leg: the business's phone keeps ringing, and the call is gone from here. */
  async decline(sessionId: string) {
    this.calls.get(sessionId)?.reject();
    this.calls.delete(sessionId);
    this.events.gone(sessionId);
  }

  mute(sessionId: string, muted: boolean) {
    this.calls.get(sessionId)?.mute(muted);
  }

  /** The call ends with its leg; Twilio's status callbacks tell the server. */
  hangUp(sessionId: string) {
    const call = this.calls.get(sessionId);
    this.calls.delete(sessionId);
    call?.disconnect();
  }

  /** Nothing to send: the Device's closeProtection asks before the page goes in a call. */
  leave() {}

  /** The SDK releases a call's audio itself when it ends. */
  release() {}

  /** Unregisters: no more calls ring here, and a call in progress ends. */
  stop() {
    this.stopped = true;
    this.calls.clear();
    try {
      this.device?.destroy();
    } catch {
      // Already torn down.
    }
    this.device = null;
  }
}
