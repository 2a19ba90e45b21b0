/**
 * The phone panel's logic, outside React so it survives re-renders and StrictMode's double
 * effects. It holds availability and the live feed, and routes between the lines (where calls
 * come from: `browser-line.ts`, `twilio-line.ts`, both behind `call-line.ts`) and the UI state
 * (`call-board.ts`), which the panel reads through `useSyncExternalStore`.
 */
import type { AppRouter } from "@cac/trpc";
import type { TRPCClient } from "@trpc/client";
import { describeError, isClientError } from "../lib/errors";
import { BrowserLine } from "./browser-line";
import { CallBoard } from "./call-board";
import type { CallLine, LineEvents } from "./call-line";
import { openFeed } from "./feed";
import { type DeviceFactory, TwilioLine } from "./twilio-line";
import type { AgentEvent, PhoneState, RingingCall } from "./types";

/** How long a call opened from a notification may take to ring here (the panel's feed is opening). */
const RING_WAIT_MS = 15_000;

/** What the member is told of a call they opened from a notification that no longer rings. */
export function notRingingText(state: "answered" | "ended", answeredBy: string | null): string {
  if (state === "answered") return `Taken by ${answeredBy ?? "a teammate"}.`;
  return answeredBy ? `This call has ended. ${answeredBy} took it.` : "This call has ended.";
}

/** How often an open portal reads the availability the server holds (also on focus). */
const SYNC_EVERY_MS = 15_000;

export class PhoneController {
  private readonly board: CallBoard;
  private readonly browser: BrowserLine;
  private twilio: TwilioLine | null = null;
  private unsubscribe: (() => void) | null = null;
  private disposed = false;

  constructor(
    private readonly client: TRPCClient<AppRouter>,
    private readonly userId: string,
    private readonly options: { createDevice?: DeviceFactory } = {},
  ) {
    this.board = new CallBoard();
    this.browser = new BrowserLine(client, this.lineEvents);
    addEventListener("pagehide", this.onLeave);
    // The switch is the server's: every tab and browser of this member follows it.
    void this.sync();
    this.syncTimer = setInterval(() => void this.sync(), SYNC_EVERY_MS);
    addEventListener("focus", this.onFocus);
  }

  private syncTimer: ReturnType<typeof setInterval> | undefined;
  private onFocus = () => void this.sync();

  /**
   * Follows the availability the server holds (set in another tab or browser, or here before a
   * reload): the feed opens or closes to match. A failed read changes nothing.
   */
  async sync() {
    let held: { available: boolean };
    try {
      held = await this.client.phone.availability.query();
    } catch {
      return;
    }
    const state = this.board.state;
    if (this.disposed || state.switching || held.available === state.available) return;
    // Not while a call is on: turning calls off elsewhere stops new rings, not this call.
    if (!held.available && state.call && state.call.phase !== "ended") return;
    this.apply(held.available);
  }

  /** Shows the switch as `available` and opens or closes the feed and the phone line to match. */
  private apply(available: boolean) {
    this.board.set({ available, switching: false });
    if (available) {
      this.openFeed();
      void this.openLine();
    } else {
      this.closeFeed();
      this.closeLine();
    }
  }

  get state(): PhoneState {
    return this.board.state;
  }

  subscribe = (listener: () => void) => this.board.subscribe(listener);

  getSnapshot = () => this.board.state;

  /** What the lines report, applied to the UI state. */
  private readonly lineEvents: LineEvents = {
    ring: (call) => this.board.ring(call),
    gone: (sessionId) => this.board.lost(sessionId),
    connecting: (sessionId, answeredAt) => this.board.connecting(sessionId, answeredAt),
    connected: (sessionId) => this.board.connected(sessionId),
    ended: (sessionId, reason) => {
      if (this.board.isCurrent(sessionId)) this.finish(reason);
      else this.board.lost(sessionId);
    },
    failed: (message, sessionId) => {
      if (sessionId && this.board.isCurrent(sessionId)) this.finish(message);
      else this.board.notify("error", message);
    },
  };

  /** The line a call came in on. */
  private lineFor(call: RingingCall | undefined): CallLine | null {
    return call?.via === "twilio" ? this.twilio : this.browser;
  }

  async setAvailable(available: boolean) {
    if (this.disposed) return;
    if (available) this.board.prepareAlerts();
    // The switch follows the click at once; it flips back if the server refuses.
    const before = this.board.state.available;
    this.board.set({ available, switching: true, notice: null });
    try {
      await this.client.phone.setAvailable.mutate({ available });
    } catch (error) {
      this.board.set({
        available: before,
        switching: false,
        notice: {
          tone: "error",
          text: `We could not ${available ? "make you available" : "turn off calls"}. ${describeError(error).message}`,
        },
      });
      return;
    }
    if (this.disposed) return;
    this.apply(available);
    this.board.set({ announcement: available ? "You are available to answer calls." : "Calls are off." });
  }

  private openFeed() {
    if (this.unsubscribe) return;
    this.unsubscribe = openFeed(this.client, {
      event: (event) => this.onEvent(event),
      state: (feed) => this.board.set({ feed }),
      closed: (error) => {
        // The feed ended for good (e.g. the session expired): calls stop ringing here.
        this.unsubscribe = null;
        this.closeLine();
        this.board.clearRinging();
        this.board.set({
          feed: "off",
          available: false,
          notice: { tone: "error", text: `Calls stopped ringing here: ${describeError(error).message}` },
        });
      },
    });
  }

  private closeFeed() {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.board.clearRinging();
    this.board.set({ feed: "off" });
  }

  private onEvent(event: AgentEvent) {
    switch (event.type) {
      case "ring":
        return this.board.ring(event.call);
      case "taken":
        return this.board.taken(event.sessionId, event.byUserId === this.userId, event.byName);
      case "rang-out":
        // The call's routing moved on to the next member: it stops ringing here.
        return this.board.lost(event.sessionId);
      case "signal":
        if (this.board.isCurrent(event.sessionId)) this.browser.signal(event.payload);
        return;
      case "ended":
        this.board.endedRinging(event);
        if (this.board.isCurrent(event.sessionId)) {
          this.finish(event.reason ?? "The call ended.", event.durationSeconds);
        }
        return;
    }
  }

  /** With Twilio configured, phone-number buttons ring the portal through the Voice SDK too. */
  private async openLine() {
    if (this.twilio) return;
    try {
      const first = await this.client.phone.voiceLine.query();
      if (first.mode !== "twilio" || !this.board.state.available || this.disposed || this.twilio) return;
      const line = new TwilioLine(() => this.voiceToken(), this.lineEvents, this.options.createDevice);
      // Held before it starts, so turning calls off meanwhile stops it.
      this.twilio = line;
      await line.start(first.token);
    } catch (error) {
      this.closeLine();
      // The SDK's errors carry their own message; the API's are described as everywhere else.
      const message =
        isClientError(error) || !(error instanceof Error) ? describeError(error).message : error.message;
      this.board.notify("warning", `Calls to phone-number buttons can't ring here: ${message}`);
    }
  }

  private async voiceToken(): Promise<string> {
    const line = await this.client.phone.voiceLine.query();
    if (line.mode !== "twilio") throw new Error("Twilio Voice is no longer configured.");
    return line.token;
  }

  private closeLine() {
    this.twilio?.stop();
    this.twilio = null;
  }

  async answer(sessionId: string) {
    const ringing = this.board.beginAnswer(sessionId);
    if (!ringing) return;
    const refusal = await this.lineFor(ringing)?.answer(ringing);
    if (refusal) this.board.refused(ringing, refusal);
  }

  /**
   * A call the member acted on in a push notification: answered through the same path as the ring
   * card's Answer once its ring reaches this panel (the feed replays the calls ringing now when it
   * opens), declined, or, when it no longer rings for them, they are told who took it or that it ended.
   */
  async fromNotification(callId: string, action: "answer" | "decline") {
    let held: Awaited<ReturnType<typeof this.client.phone.callState.query>>;
    try {
      held = await this.client.phone.callState.query({ callId });
    } catch (error) {
      this.board.notify("error", `We could not open that call. ${describeError(error).message}`);
      return;
    }
    if (this.disposed) return;
    if (held.state !== "ringing") {
      const text = notRingingText(held.state, held.answeredBy);
      this.board.notify("info", text);
      this.board.set({ announcement: text });
      return;
    }
    if (!held.ringsYou) {
      this.board.notify("info", "This call is ringing another member now.");
      return;
    }
    if (action === "decline") {
      try {
        await this.client.phone.decline.mutate({ sessionId: callId });
        this.board.lost(callId);
        this.board.notify("info", "You declined the call.");
      } catch (error) {
        this.board.notify("error", describeError(error).message);
      }
      return;
    }
    const ringing = await this.ringOf(callId, RING_WAIT_MS);
    if (this.disposed) return;
    if (!ringing) {
      this.board.notify(
        "warning",
        this.board.state.available
          ? "That call stopped ringing before it reached this window."
          : "Turn on “Available to answer calls” to answer calls here.",
      );
      return;
    }
    await this.answer(callId);
  }

  /** Resolves once the call rings on this panel (true), or false after `timeoutMs`. */
  private ringOf(callId: string, timeoutMs: number): Promise<boolean> {
    if (this.board.ringingCall(callId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (rang: boolean) => {
        clearTimeout(timer);
        stop();
        resolve(rang);
      };
      const stop = this.board.subscribe(() => {
        if (this.board.ringingCall(callId)) done(true);
        else if (this.disposed) done(false);
      });
      const timer = setTimeout(() => done(false), timeoutMs);
    });
  }

  async decline(sessionId: string) {
    const ringing = this.board.ringingCall(sessionId);
    // Asked before the card goes: a line that declines only here reports the call gone while it rings.
    const declined = this.lineFor(ringing)?.decline(sessionId);
    this.board.remove(sessionId);
    try {
      await declined;
    } catch (error) {
      this.board.notify("error", describeError(error).message);
    }
  }

  toggleMute() {
    const call = this.board.state.call;
    if (!call || call.phase === "ended") return;
    this.lineFor(call)?.mute(call.sessionId, !call.muted);
    this.board.setMuted(!call.muted);
  }

  /** The agent hangs up: ends it here at once, then on the line. */
  hangUp(reason = "You hung up.") {
    const call = this.board.state.call;
    if (!call || call.phase === "ended") return;
    this.finish(reason);
    this.lineFor(call)?.hangUp(call.sessionId);
  }

  /** Ends the call in progress here; the duration is measured here unless the server gave it. */
  private finish(text: string, durationSeconds?: number) {
    const call = this.board.state.call;
    if (!call || call.phase === "ended") return;
    this.lineFor(call)?.release(call.sessionId);
    this.board.finish(text, durationSeconds);
  }

  /** Closes the ended call's card. */
  dismiss() {
    this.board.dismiss();
  }

  dismissNotice() {
    this.board.set({ notice: null });
  }

  private onLeave = () => {
    const call = this.board.state.call;
    if (call && call.phase !== "ended") this.lineFor(call)?.leave(call.sessionId);
  };

  /** The panel unmounts (log out): release the feed, the call and the sound. */
  dispose() {
    this.disposed = true;
    clearInterval(this.syncTimer);
    removeEventListener("focus", this.onFocus);
    removeEventListener("pagehide", this.onLeave);
    this.onLeave();
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.browser.release();
    this.closeLine();
    this.board.dispose();
  }
}
