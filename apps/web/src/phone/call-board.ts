/**
 * The phone panel's UI state, apart from any line: the ringing cards (with their sound and
 * browser notifications), the call card (phase, timer start, mute, how it ended), the notice and
 * the screen-reader announcement. It knows nothing of tRPC, WebRTC or Twilio; the controller
 * feeds it what the lines and the live feed report. The panel reads `state` through
 * `useSyncExternalStore`.
 */
import type { AnswerRefusal } from "./call-line";
import { describePage, describeVisitor } from "./describe-page";
import { askNotificationPermission, notifyRing } from "./notify";
import { createRinger, type Ringer } from "./ringer";
import type { ActiveCall, AgentEvent, Notice, PhoneState, RingingCall } from "./types";

export const idlePhoneState: PhoneState = {
  available: false,
  feed: "off",
  switching: false,
  ringing: [],
  call: null,
  notice: null,
  announcement: "",
};

const MIC_DENIED =
  "Your browser blocked the microphone. Allow microphone access for this site (in the address bar), then answer again.";
const MIC_MISSING = "No microphone was found. Connect one, then answer again.";

export class CallBoard {
  state: PhoneState = idlePhoneState;
  private listeners = new Set<() => void>();
  private notifications = new Map<string, () => void>();
  /** Calls taken by someone or ended: they never ring here again. */
  private gone = new Set<string>();

  constructor(private readonly ringer: Ringer = createRinger()) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.state;

  set(patch: Partial<PhoneState>) {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  notify(tone: Notice["tone"], text: string) {
    this.set({ notice: { tone, text } });
  }

  /** From the click that makes the agent available: the gesture lets later rings play, and permits asking. */
  prepareAlerts() {
    this.ringer.prime();
    void askNotificationPermission();
  }

  /** The call in progress (or its ended card) is this one. */
  isCurrent(sessionId: string): boolean {
    return this.state.call?.sessionId === sessionId;
  }

  ringingCall(sessionId: string): RingingCall | undefined {
    return this.state.ringing.find((c) => c.sessionId === sessionId);
  }

  ring(call: RingingCall) {
    if (this.gone.has(call.sessionId) || this.isCurrent(call.sessionId)) return;
    if (this.ringingCall(call.sessionId)) return;
    const page = describePage(call.pageUrl);
    const visitor = describeVisitor(call.visitor);
    this.set({
      ringing: [...this.state.ringing, call],
      notice: null,
      announcement: `Incoming call from ${call.buttonName}, on ${page}${visitor ? `, ${visitor}` : ""}.`,
    });
    this.notifications.set(
      call.sessionId,
      notifyRing(
        `Incoming call: ${call.buttonName}`,
        `From ${page}${visitor ? ` (${visitor})` : ""}`,
        call.sessionId,
      ),
    );
    // No ring over a call in progress: the card shows the waiting call.
    if (!this.inCall()) this.ringer.start();
  }

  /** The call went away before it was answered here: it stops ringing and never rings again. */
  lost(sessionId: string) {
    if (!this.ringingCall(sessionId)) return;
    this.gone.add(sessionId);
    this.remove(sessionId);
  }

  /** Someone answered it (`byMe`: this user, in another window; `byName`: the teammate who did). */
  taken(sessionId: string, byMe: boolean, byName: string | null = null) {
    this.gone.add(sessionId);
    const ringing = this.ringingCall(sessionId);
    this.remove(sessionId);
    if (ringing && !this.isCurrent(sessionId)) {
      const who = byMe ? "Answered in another window." : `Answered by ${byName ?? "a teammate"}.`;
      this.notify("info", who);
      this.set({ announcement: who });
    }
  }

  /** The server ended the call: a ringing one was missed (or declined); the call card is left to the caller. */
  endedRinging(event: Extract<AgentEvent, { type: "ended" }>) {
    this.gone.add(event.sessionId);
    const ringing = this.ringingCall(event.sessionId);
    if (!ringing) return;
    this.remove(event.sessionId);
    if (event.status === "no-answer" || event.status === "canceled") {
      this.notify("warning", `Missed call from ${ringing.buttonName}.`);
    }
  }

  remove(sessionId: string) {
    this.notifications.get(sessionId)?.();
    this.notifications.delete(sessionId);
    const ringing = this.state.ringing.filter((c) => c.sessionId !== sessionId);
    this.set({ ringing });
    if (ringing.length === 0) this.ringer.stop();
  }

  clearRinging() {
    for (const close of this.notifications.values()) close();
    this.notifications.clear();
    this.ringer.stop();
    this.set({ ringing: [] });
  }

  /** A call is in progress (not just its ended card). */
  inCall(): boolean {
    return this.state.call !== null && this.state.call.phase !== "ended";
  }

  /** The agent answers: the ringing card becomes the call card. Null when it can't be answered now. */
  beginAnswer(sessionId: string): RingingCall | null {
    const ringing = this.ringingCall(sessionId);
    if (!ringing || this.inCall()) return null;
    this.remove(sessionId);
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
    return ringing;
  }

  /** The answer did not go through: the card closes and the notice says why. */
  refused(ringing: RingingCall, refusal: AnswerRefusal) {
    if (refusal.kind === "microphone") {
      // The call keeps ringing (for a teammate, or for another try once the microphone is allowed).
      this.set({
        call: null,
        ringing: this.gone.has(ringing.sessionId) ? this.state.ringing : [ringing, ...this.state.ringing],
        notice: { tone: "error", text: refusal.missing ? MIC_MISSING : MIC_DENIED },
      });
      return;
    }
    const taken = refusal.kind === "taken";
    this.set({
      call: null,
      notice: { tone: taken ? "info" : "warning", text: taken ? "Answered by a teammate." : refusal.message },
    });
  }

  connecting(sessionId: string, answeredAt: number | null) {
    if (this.isCurrent(sessionId)) this.patchCall({ phase: "connecting", answeredAt });
  }

  /** The audio flows; the timer starts now unless it started with the answer. */
  connected(sessionId: string) {
    const call = this.state.call;
    if (call?.sessionId !== sessionId) return;
    this.patchCall({ phase: "connected", answeredAt: call.answeredAt ?? Date.now() });
    this.set({ announcement: "Connected to the caller." });
  }

  setMuted(muted: boolean) {
    this.patchCall({ muted });
  }

  /** Ends the call card with what happened; the duration is measured here unless the server gave it. */
  finish(text: string, durationSeconds?: number) {
    const call = this.state.call;
    if (!call || call.phase === "ended") return;
    const seconds = durationSeconds ?? elapsedSeconds(call);
    this.patchCall({ phase: "ended", endedText: text, durationSeconds: seconds });
    this.set({ announcement: `Call ended. ${text}` });
    if (this.state.ringing.length) this.ringer.start();
  }

  /** Closes the ended call's card. */
  dismiss() {
    if (this.state.call?.phase === "ended") this.set({ call: null });
  }

  dispose() {
    this.clearRinging();
    this.ringer.close();
    this.listeners.clear();
  }

  private patchCall(patch: Partial<ActiveCall>) {
    if (this.state.call) this.set({ call: { ...this.state.call, ...patch } });
  }
}

function elapsedSeconds(call: ActiveCall): number {
  return call.answeredAt ? Math.round((Date.now() - call.answeredAt) / 1000) : 0;
}
