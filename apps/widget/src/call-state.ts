/**
 * The call dialog's state machine, as a pure function so it can be tested without a DOM.
 *
 *   home ──call──▶ permission ──permitted──▶ connecting ──ringing──▶ ringing ──answered──▶ connected
 *     ▲                 │                         │                      │                    │
 *     │                 └────────── fail(cause) / hangup ────────────────┴────────────────────┘
 *     │                                     ▼                                   ▼
 *   reset ◀──────────────────────── failed(cause)                     ended(seconds)
 *   home / failed ──sent──▶ sent (callback request accepted)
 */
import type { CallFailCause as FailCause } from "./types";

export type CallView =
  | { v: "home" }
  | { v: "sent" }
  | { v: "permission" }
  | { v: "connecting" }
  | { v: "ringing" }
  | { v: "connected"; since: number; muted: boolean; keypad: boolean; digits: string }
  | { v: "ended"; seconds: number }
  | { v: "failed"; cause: FailCause };

export type CallEvent =
  | { t: "call" }
  | { t: "permitted" }
  | { t: "ringing" }
  | { t: "answered"; at: number }
  | { t: "mute" }
  | { t: "keypad" }
  | { t: "digit"; digit: string }
  | { t: "hangup"; at: number }
  | { t: "fail"; cause: FailCause }
  | { t: "sent" }
  | { t: "reset" };

export const inCall = (view: CallView) =>
  view.v === "permission" || view.v === "connecting" || view.v === "ringing" || view.v === "connected";

export function step(view: CallView, event: CallEvent): CallView {
  switch (event.t) {
    case "reset":
      return { v: "home" };
    case "call":
      return view.v === "home" || view.v === "ended" || view.v === "failed" ? { v: "permission" } : view;
    case "sent":
      // The callback form is on the home frame, and offered after a call nobody could take.
      return view.v === "home" || view.v === "failed" ? { v: "sent" } : view;
    case "permitted":
      return view.v === "permission" ? { v: "connecting" } : view;
    case "ringing":
      return view.v === "connecting" ? { v: "ringing" } : view;
    case "answered":
      return view.v === "connecting" || view.v === "ringing"
        ? { v: "connected", since: event.at, muted: false, keypad: false, digits: "" }
        : view;
    case "mute":
      return view.v === "connected" ? { ...view, muted: !view.muted } : view;
    case "keypad":
      return view.v === "connected" ? { ...view, keypad: !view.keypad } : view;
    case "digit":
      return view.v === "connected" ? { ...view, digits: (view.digits + event.digit).slice(-20) } : view;
    case "hangup":
      if (view.v === "connected")
        return { v: "ended", seconds: Math.max(0, Math.round((event.at - view.since) / 1000)) };
      return inCall(view) ? { v: "ended", seconds: 0 } : view;
    case "fail":
      return view.v === "home" || inCall(view) ? { v: "failed", cause: event.cause } : view;
  }
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
