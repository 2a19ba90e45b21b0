/**
 * The interface between a line (where calls come from and where their audio goes) and the phone
 * panel's UI state. Two lines implement it: the browser line (WebRTC, over the live feed) and the
 * Twilio line (the Voice SDK). The controller picks the line by the call, so neither the UI state
 * nor the panel branch on how a call arrived.
 */
import type { RingingCall } from "./types";

/** What a line reports about its calls. */
export type LineEvents = {
  ring(call: RingingCall): void;
  /**
   * The call went away from this line before it was answered here: the caller hung up, it was
   * answered elsewhere, or this browser's leg of it was declined.
   */
  gone(sessionId: string): void;
  /**
   * The answer went through and the audio is being set up. `answeredAt` (epoch ms) starts the
   * timer when the call is ours at this point; null when it starts once the audio connects.
   */
  connecting(sessionId: string, answeredAt: number | null): void;
  connected(sessionId: string): void;
  ended(sessionId: string, reason: string): void;
  failed(message: string, sessionId: string | null): void;
};

/** Why an answer did not go through. */
export type AnswerRefusal =
  /** The browser gave no microphone: the call keeps ringing, for another try. */
  | { kind: "microphone"; missing: boolean }
  /** Someone else answered first. */
  | { kind: "taken" }
  | { kind: "failed"; message: string };

/** What the panel asks of a line for one call. */
export interface CallLine {
  /** Resolves once the answer is under way (progress comes as events), or with why it was not. */
  answer(call: RingingCall): Promise<AnswerRefusal | null>;
  /** Rejects with the reason when the decline did not reach the server. */
  decline(sessionId: string): Promise<void>;
  mute(sessionId: string, muted: boolean): void;
  /** The agent hangs up. */
  hangUp(sessionId: string): void;
  /** The page is going away in a call. */
  leave(sessionId: string): void;
  /** The call ended here (either side): drop its audio, and abandon an answer still in flight. */
  release(sessionId: string): void;
}
