/**
 * What the phone panel shows, and what the live feed (`phone.events`) sends. The lines, the UI
 * state and the panel all speak these types, so none of them imports another for its words.
 */
import type { SignalPayload } from "./agent-peer";

/** What the widget told about the visit: its source, campaign, device and local time. */
export type RingVisitor = {
  source: string | null;
  campaign: string | null;
  device: string | null;
  /** The visitor's wall clock with its offset, "2026-12-02T09:14:00-05:00". */
  localTime: string | null;
};

export type RingingCall = {
  sessionId: string;
  buttonId: string | null;
  buttonName: string;
  pageUrl: string | null;
  startedAt: string;
  /** Who is calling, when the button collects it (none for a Twilio ring). */
  visitor?: RingVisitor | null;
  /** Rung through the Twilio Voice SDK (a button that also rings a phone), not the live feed. */
  via?: "twilio";
};

export type AgentEvent =
  | { type: "ring"; call: RingingCall }
  | { type: "taken"; sessionId: string; byUserId: string; byName: string | null }
  | { type: "rang-out"; sessionId: string }
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

/** The live feed: off, (re)connecting, or open. */
export type FeedState = "off" | "connecting" | "open" | "reconnecting";

export type PhoneState = {
  available: boolean;
  feed: FeedState;
  /** Setting availability is in flight. */
  switching: boolean;
  ringing: RingingCall[];
  call: ActiveCall | null;
  notice: Notice | null;
  /** For screen readers: the latest event, in words. */
  announcement: string;
};
