import type { LimitPolicy } from "./ports";

/** Throttling policies by name. The server may override them (tests use short windows). */
export const defaultLimits = {
  "login.ip": { points: 30, durationSeconds: 15 * 60 },
  "login.email": { points: 5, durationSeconds: 15 * 60 },
  "signup.ip": { points: 10, durationSeconds: 60 * 60 },
  // Each signup emails the address (a confirmation or a "you already have an account" notice).
  "signup.email": { points: 3, durationSeconds: 60 * 60 },
  "reset.ip": { points: 10, durationSeconds: 60 * 60 },
  "reset.email": { points: 3, durationSeconds: 60 * 60 },
  "verify.user": { points: 5, durationSeconds: 60 * 60 },
  "call.ip": { points: 10, durationSeconds: 10 * 60 },
  "call.button": { points: 120, durationSeconds: 60 * 60 },
  // The widget's public config (GET /widget/config/:id). Browsers cache it for a minute, so a
  // visitor fetches it about once a minute; this only stops floods. Per IP only: a per-button
  // limit would let anyone's flood refuse every real visitor of that button.
  "config.ip": { points: 600, durationSeconds: 60 },
  // Each contact message emails the operators' inbox.
  "contact.ip": { points: 5, durationSeconds: 60 * 60 },
  "contact.email": { points: 3, durationSeconds: 60 * 60 },
} satisfies Record<string, LimitPolicy>;

export type LimitName = keyof typeof defaultLimits;
export type Limits = Record<LimitName, LimitPolicy>;
