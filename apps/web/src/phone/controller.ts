/**
 * The phone panel's logic, outside React so it survives re-renders and StrictMode's double
 * effects: availability, the live feed (`phone.events`), ringing calls, and the call in progress
 * (microphone, WebRTC answer, mute, hang up). The panel reads `state` through
 * `useSyncExternalStore` and calls the methods.
 */
import type { AppRouter } from "@cac/trpc";
import type { TRPCClient } from "@trpc/client";
import { describeError, isClientError } from "../lib/errors";
import { AgentPeer, type SignalPayload } from "./agent-peer";
import { askNotificationPermission, notifyRing } from "./notify";
import { createRinger, type Ringer } from "./ringer";
import { type DeviceFactory, TwilioLine } from "./twilio-line";

export type RingingCall = {
  sessionId: string;
  buttonId: string | null;
  buttonName: string;
  pageUrl: string | null;
  startedAt: string;
  /** Rung through the Twilio Voice SDK (a button that also rings a phone), not the live feed. */
  via?: "twilio";
};

export type AgentEvent =
  | { type: "ring"; call: RingingCall }
  | { type: "taken"; sessionId: string; byUserId: string }
  | { type: "signal"; sessionId: string; payload: SignalPayload }
  | { type: "ended"; sessionId: string; status: string; reason: string | null; durationSeconds: number };

export type ActiveCall = RingingCall & {
  /** answering: microphone and `phone.answer`; connecting: WebRTC; connected: audio flows; ended. */
  phase: "answering" | "connecting" | "connected" | "ended";
  /** When the call was answered (epoch ms), for the timer. */
  answeredAt: number | null;
  muted: boolean;
  /** Set once ended: what happened, and the duration the server measured. */
  endedText: string | null;
  durationSeconds: number | null;
};

export type Notice = { tone: "info" | "warning" | "error"; text: string };

export type PhoneState = {
  available: boolean;
  /** The live feed: off, (re)connecting, or open. */
  feed: "off" | "connecting" | "open" | "reconnecting";
  /** Setting availability is in flight. */
  switching: boolean;
  ringing: RingingCall[];
  call: ActiveCall | null;
  notice: Notice | null;
  /** For screen readers: the latest event, in words. */
  announcement: string;
};

type Client = TRPCClient<AppRouter>;

/** Remembered per user in this browser, so whoever logs in next does not inherit it. */
const storageKey = (userId: string) => `cac.phone.available.${userId}`;

const MIC_DENIED =
  "Your browser blocked the microphone. Allow microphone access for this site (in the address bar), then answer again.";
const MIC_MISSING = "No microphone was found. Connect one, then answer again.";

export function describePage(pageUrl: string | null): string {
  if (!pageUrl) return "an unknown page";
  try {
    const url = new URL(pageUrl);
    return `${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return pageUrl;
  }
}

export class PhoneController {
  state: PhoneState = {
    available: false,
    feed: "off",
    switching: false,
    ringing: [],
    call: null,
    notice: null,
    announcement: "",
  };
  private listeners = new Set<() => void>();
  private unsubscribe: (() => void) | null = null;
  private peer: AgentPeer | null = null;
  private ringer: Ringer = createRinger();
  private notifications = new Map<string, () => void>();
  /** Calls taken by someone or ended: they never ring here again. */
  private gone = new Set<string>();
  private disposed = false;
  private line: TwilioLine | null = null;

  constructor(
    private readonly client: Client,
    private readonly userId: string,
    private readonly options: { createDevice?: DeviceFactory } = {},
  ) {
    addEventListener("pagehide", this.onLeave);
    // The agent's choice survives reloads in this browser.
    if (readStored(userId)) void this.setAvailable(true, { restoring: true });
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.state;

  private set(patch: Partial<PhoneState>) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private patchCall(patch: Partial<ActiveCall>) {
    if (this.state.call) this.set({ call: { ...this.state.call, ...patch } });
  }

  async setAvailable(available: boolean, options: { restoring?: boolean } = {}) {
    if (this.disposed) return;
    if (available && !options.restoring) {
      // Called from the toggle's click: the gesture lets the ring play later and permits asking.
      this.ringer.prime();
      void askNotificationPermission();
    }
    // The switch follows the click at once; it flips back if the server refuses.
    const before = this.state.available;
    this.set({ available, switching: true, notice: null });
    try {
      await this.client.phone.setAvailable.mutate({ available });
    } catch (error) {
      this.set({
        available: before,
        switching: false,
        notice: {
          tone: "error",
          text: `We could not ${available ? "make you available" : "turn off calls"}. ${describeError(error).message}`,
        },
      });
      if (options.restoring) writeStored(this.userId, false);
      return;
    }
    if (this.disposed) return;
    writeStored(this.userId, available);
    this.set({ available, switching: false });
    if (available) {
      this.openFeed();
      void this.openLine();
    } else {
      this.closeFeed();
      this.closeLine();
    }
    this.set({ announcement: available ? "You are available to answer calls." : "Calls are off." });
  }

  private openFeed() {
    if (this.unsubscribe) return;
    this.set({ feed: "connecting" });
    const subscription = this.client.phone.events.subscribe(undefined, {
      onData: (event) => this.onEvent(event as AgentEvent),
      onConnectionStateChange: (change) => {
        if (change.state === "pending") this.set({ feed: "open" });
        else if (change.state === "connecting")
          this.set({ feed: change.error ? "reconnecting" : "connecting" });
      },
      onError: (error) => {
        // The feed ended for good (e.g. the session expired): calls stop ringing here.
        this.unsubscribe = null;
        this.closeLine();
        this.clearRinging();
        this.set({
          feed: "off",
          available: false,
          notice: { tone: "error", text: `Calls stopped ringing here: ${describeError(error).message}` },
        });
      },
    });
    this.unsubscribe = () => subscription.unsubscribe();
  }

  /** With Twilio configured, phone-number buttons ring the portal through the Voice SDK too. */
  private async openLine() {
    if (this.line) return;
    const fetchToken = async () => {
      const line = await this.client.phone.voiceLine.query();
      if (line.mode !== "twilio") throw new Error("Twilio Voice is no longer configured.");
      return line.token;
    };
    try {
      const first = await this.client.phone.voiceLine.query();
      if (first.mode !== "twilio" || !this.state.available || this.disposed || this.line) return;
      const line = new TwilioLine(
        fetchToken,
        {
          ring: (call) => this.onRing(call),
          gone: (sessionId) => this.onLineGone(sessionId),
          connected: (sessionId) => {
            if (this.state.call?.sessionId !== sessionId) return;
            this.patchCall({ phase: "connected", answeredAt: Date.now() });
            this.set({ announcement: "Connected to the caller." });
          },
          ended: (sessionId, reason) => {
            if (this.state.call?.sessionId === sessionId) this.endTwilioCall(reason);
            else this.onLineGone(sessionId);
          },
          failed: (message, sessionId) => {
            if (sessionId && this.state.call?.sessionId === sessionId) this.endTwilioCall(message);
            else this.set({ notice: { tone: "error", text: message } });
          },
        },
        this.options.createDevice,
      );
      this.line = line;
      await line.start(first.token);
    } catch (error) {
      this.closeLine();
      // The SDK's errors carry their own message; the API's are described as everywhere else.
      const message =
        isClientError(error) || !(error instanceof Error) ? describeError(error).message : error.message;
      this.set({
        notice: { tone: "warning", text: `Calls to phone-number buttons can't ring here: ${message}` },
      });
    }
  }

  private closeLine() {
    this.line?.stop();
    this.line = null;
  }

  private onLineGone(sessionId: string) {
    if (!this.state.ringing.some((c) => c.sessionId === sessionId)) return;
    this.gone.add(sessionId);
    this.removeRinging(sessionId);
  }

  private endTwilioCall(reason: string) {
    const call = this.state.call;
    if (!call || call.phase === "ended") return;
    const seconds = call.answeredAt ? Math.round((Date.now() - call.answeredAt) / 1000) : 0;
    this.finishCall(reason, seconds);
  }

  private closeFeed() {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.clearRinging();
    this.set({ feed: "off" });
  }

  private onEvent(event: AgentEvent) {
    switch (event.type) {
      case "ring":
        return this.onRing(event.call);
      case "taken": {
        this.gone.add(event.sessionId);
        const wasRinging = this.state.ringing.some((c) => c.sessionId === event.sessionId);
        this.removeRinging(event.sessionId);
        if (wasRinging && this.state.call?.sessionId !== event.sessionId) {
          this.set({
            notice: {
              tone: "info",
              text:
                event.byUserId === this.userId ? "Answered in another window." : "Answered by a teammate.",
            },
          });
        }
        return;
      }
      case "signal":
        if (this.state.call?.sessionId === event.sessionId) this.peer?.handle(event.payload);
        return;
      case "ended":
        return this.onEnded(event);
    }
  }

  private onRing(call: RingingCall) {
    if (this.gone.has(call.sessionId) || this.state.call?.sessionId === call.sessionId) return;
    if (this.state.ringing.some((c) => c.sessionId === call.sessionId)) return;
    const page = describePage(call.pageUrl);
    this.set({
      ringing: [...this.state.ringing, call],
      notice: null,
      announcement: `Incoming call from ${call.buttonName}, on ${page}.`,
    });
    this.notifications.set(
      call.sessionId,
      notifyRing(`Incoming call: ${call.buttonName}`, `From ${page}`, call.sessionId),
    );
    // No ring over a call in progress: the card shows the waiting call.
    if (!this.state.call || this.state.call.phase === "ended") this.ringer.start();
  }

  private onEnded(event: Extract<AgentEvent, { type: "ended" }>) {
    this.gone.add(event.sessionId);
    const ringing = this.state.ringing.find((c) => c.sessionId === event.sessionId);
    if (ringing) {
      this.removeRinging(event.sessionId);
      if (event.status === "no-answer" || event.status === "canceled") {
        this.set({ notice: { tone: "warning", text: `Missed call from ${ringing.buttonName}.` } });
      }
    }
    const call = this.state.call;
    if (call?.sessionId === event.sessionId && call.phase !== "ended") {
      this.finishCall(event.reason ?? "The call ended.", event.durationSeconds);
    }
  }

  private removeRinging(sessionId: string) {
    this.notifications.get(sessionId)?.();
    this.notifications.delete(sessionId);
    const ringing = this.state.ringing.filter((c) => c.sessionId !== sessionId);
    this.set({ ringing });
    if (ringing.length === 0) this.ringer.stop();
  }

  private clearRinging() {
    for (const close of this.notifications.values()) close();
    this.notifications.clear();
    this.ringer.stop();
    this.set({ ringing: [] });
  }

  async answer(sessionId: string) {
    const ringing = this.state.ringing.find((c) => c.sessionId === sessionId);
    if (!ringing || (this.state.call && this.state.call.phase !== "ended")) return;
    this.removeRinging(sessionId);
    this.ringer.stop();
    this.set({
      notice: null,
      call: {
        ...ringing,
        phase: "answering",
        answeredAt: null,
        muted: false,
        endedText: null,
        durationSeconds: null,
      },
      announcement: "Answering…",
    });
    if (ringing.via === "twilio") {
      // The Voice SDK asks for the microphone and connects; its events move the call on.
      this.patchCall({ phase: "connecting" });
      this.line?.accept(sessionId);
      return;
    }

    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      // The call keeps ringing (for a teammate, or for another try once the microphone is allowed).
      this.set({
        call: null,
        ringing: this.gone.has(sessionId) ? this.state.ringing : [ringing, ...this.state.ringing],
        notice: { tone: "error", text: name === "NotFoundError" ? MIC_MISSING : MIC_DENIED },
      });
      return;
    }
    if (this.state.call?.sessionId !== sessionId || this.state.call.phase !== "answering") {
      // The caller hung up meanwhile.
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    const peer = new AgentPeer(
      stream,
      (payload) => this.client.phone.signal.mutate({ sessionId, payload }),
      (state) => {
        if (this.peer !== peer) return;
        if (state === "connected") {
          this.patchCall({ phase: "connected" });
          this.set({ announcement: "Connected to the caller." });
        } else if (state === "failed") {
          this.hangUp("The connection to the caller failed.");
        }
      },
    );
    this.peer = peer;
    try {
      const answered = await this.client.phone.answer.mutate({ sessionId });
      if (this.peer !== peer) return;
      this.patchCall({ phase: "connecting", answeredAt: Date.now() });
      peer.start(answered.iceServers as RTCIceServer[]);
    } catch (error) {
      if (this.peer === peer) {
        this.peer = null;
        peer.close();
      }
      const info = describeError(error);
      // CONFLICT is "Someone else answered this call." or "This call has already ended."
      const taken = info.httpStatus === 409 && /someone else/i.test(info.message);
      this.set({
        call: null,
        notice: { tone: taken ? "info" : "warning", text: taken ? "Answered by a teammate." : info.message },
      });
    }
  }

  async decline(sessionId: string) {
    const ringing = this.state.ringing.find((c) => c.sessionId === sessionId);
    this.removeRinging(sessionId);
    if (ringing?.via === "twilio") {
      // Only this browser's leg: the business's phone keeps ringing.
      this.gone.add(sessionId);
      this.line?.reject(sessionId);
      return;
    }
    try {
      await this.client.phone.decline.mutate({ sessionId });
    } catch (error) {
      this.set({ notice: { tone: "error", text: describeError(error).message } });
    }
  }

  toggleMute() {
    const call = this.state.call;
    if (!call || call.phase === "ended") return;
    if (call.via === "twilio") this.line?.mute(call.sessionId, !call.muted);
    else this.peer?.mute(!call.muted);
    this.patchCall({ muted: !call.muted });
  }

  /** The agent hangs up (or the connection failed): ends it here at once, then on the server. */
  hangUp(reason = "You hung up.") {
    const call = this.state.call;
    if (!call || call.phase === "ended") return;
    const seconds = call.answeredAt ? Math.round((Date.now() - call.answeredAt) / 1000) : 0;
    this.finishCall(reason, seconds);
    // A Twilio call ends with its leg; Twilio's status callbacks tell the server.
    if (call.via === "twilio") this.line?.hangUp(call.sessionId);
    else this.client.phone.hangUp.mutate({ sessionId: call.sessionId }).catch(() => {});
  }

  private finishCall(text: string, durationSeconds: number) {
    this.peer?.close();
    this.peer = null;
    this.patchCall({ phase: "ended", endedText: text, durationSeconds });
    this.set({ announcement: `Call ended. ${text}` });
    if (this.state.ringing.length) this.ringer.start();
  }

  /** Closes the ended call's card. */
  dismiss() {
    if (this.state.call?.phase === "ended") this.set({ call: null });
  }

  dismissNotice() {
    this.set({ notice: null });
  }

  /** Leaving the page in a call hangs up (the request outlives the page). */
  private onLeave = () => {
    const call = this.state.call;
    if (!call || call.phase === "ended" || call.via === "twilio") return;
    fetch("/trpc/phone.hangUp", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ json: { sessionId: call.sessionId } }),
      keepalive: true,
    }).catch(() => {});
  };

  /** The panel unmounts (log out): release the feed, the call and the sound. */
  dispose() {
    this.disposed = true;
    removeEventListener("pagehide", this.onLeave);
    this.onLeave();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.peer?.close();
    this.peer = null;
    this.closeLine();
    this.clearRinging();
    this.ringer.close();
    this.listeners.clear();
  }
}

function readStored(userId: string): boolean {
  try {
    return localStorage.getItem(storageKey(userId)) === "1";
  } catch {
    return false;
  }
}

function writeStored(userId: string, available: boolean) {
  try {
    if (available) localStorage.setItem(storageKey(userId), "1");
    else localStorage.removeItem(storageKey(userId));
  } catch {
    // Storage disabled: availability is not remembered across reloads.
  }
}
