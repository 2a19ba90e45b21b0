/**
 * The call transport hook. The call UI calls `startCall(ctx)` when the visitor presses
 * "Call now" and renders whatever the session reports through `ctx.report`.
 *
 * No transport ships yet, so `startCall` is null and the call UI does not offer "Call now":
 * visitors get the callback form (or the closed message). The Calls issue sets this to a real
 * implementation (WebRTC to the portal, or the Twilio Voice SDK loaded on demand). See README.md.
 */
import type { FailCause } from "./types";

/** What a transport tells the UI, in order: permitted → ringing → answered → hangup, or fail. */
export type CallProgress =
  | { t: "permitted" }
  | { t: "ringing" }
  | { t: "answered" }
  | { t: "hangup" }
  | { t: "fail"; cause: FailCause };

export type CallContext = {
  /** The button's public id. */
  button: string;
  /** Origin of the API (tRPC at `${apiOrigin}/trpc`). */
  apiOrigin: string;
  /** Report progress; the UI moves its state machine accordingly. */
  report(progress: CallProgress): void;
};

export type CallSession = {
  /** Visitor hung up or cancelled; the UI has already moved on, so do not report "hangup". */
  hangup(): void;
  mute(muted: boolean): void;
  /** One DTMF digit: 0-9, *, #. */
  dtmf(digit: string): void;
};

export type StartCall = (ctx: CallContext) => CallSession;

export const startCall: StartCall | null = null;
