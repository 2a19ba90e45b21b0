import type { LimitPolicy } from "./ports";

/** Throttling policies by name. The server may override them (tests use short windows). */
export const defaultLimits = {
  // Logins from one IP, whatever the account: refused past this.
  "login.ip": { points: 30, durationSeconds: 15 * 60 },
  // Logins from one IP to one account: refused past this. Another IP is not affected, so an
  // attacker cannot lock the owner out.
  "login.ip_email": { points: 10, durationSeconds: 15 * 60 },
  // Logins to one account from anywhere: past this, never refused, but challenged (the captcha
  // when configured, else a doubling wait before the password is checked: loginSlowdown).
  "login.email": { points: 5, durationSeconds: 15 * 60 },
  // Password checks of a logged-in session (changing the password, closing the account).
  "password.session": { points: 5, durationSeconds: 15 * 60 },
  "signup.ip": { points: 10, durationSeconds: 60 * 60 },
  // Each signup emails the address (a confirmation or a "you already have an account" notice).
  "signup.email": { points: 3, durationSeconds: 60 * 60 },
  "reset.ip": { points: 10, durationSeconds: 60 * 60 },
  "reset.email": { points: 3, durationSeconds: 60 * 60 },
  "verify.user": { points: 5, durationSeconds: 60 * 60 },
  // Opening and accepting invitation links from one IP (each accept with a new login hashes a
  // password), as signup is limited.
  "invitation.ip": { points: 20, durationSeconds: 60 * 60 },
  // Invitations sent (and resent) by one account: each emails an address.
  "invitation.account": { points: 50, durationSeconds: 60 * 60 },
  "call.ip": { points: 10, durationSeconds: 10 * 60 },
  "call.button": { points: 120, durationSeconds: 60 * 60 },
  // Callback requests from the widget: a visitor leaves one or two; each lands in the owners' list.
  "callback.ip": { points: 5, durationSeconds: 60 * 60 },
  "callback.button": { points: 120, durationSeconds: 60 * 60 },
  // The widget's "callable now" question (widget.callable): asked when the button renders and
  // when its dialog opens, each answer kept 5 s by the browser. This only stops floods; a refused
  // widget offers the call and lets calls.start decide.
  "callable.ip": { points: 120, durationSeconds: 60 },
  "callable.button": { points: 20_000, durationSeconds: 60 },
  // The widget's public config (GET /widget/config/:id). Browsers cache it for a minute, so a
  // visitor fetches it about once a minute; this only stops floods. Per IP only: a per-button
  // limit would let anyone's flood refuse every real visitor of that button.
  "config.ip": { points: 600, durationSeconds: 60 },
  // Logo uploads: each is decoded and re-encoded, so they are limited per account and per IP.
  "logo.account": { points: 20, durationSeconds: 60 * 60 },
  "logo.ip": { points: 30, durationSeconds: 60 * 60 },
  // "Email these instructions to my developer": each sends an email to an address typed in the
  // portal, so a user and an account send only a few.
  "install-email.user": { points: 5, durationSeconds: 60 * 60 },
  "install-email.account": { points: 20, durationSeconds: 24 * 60 * 60 },
  // Each contact message emails the operators' inbox.
  "contact.ip": { points: 5, durationSeconds: 60 * 60 },
  "contact.email": { points: 3, durationSeconds: 60 * 60 },
} satisfies Record<string, LimitPolicy>;

export type LimitName = keyof typeof defaultLimits;
export type Limits = Record<LimitName, LimitPolicy>;

/**
 * Logo storage per account: the distinct logos its buttons use (a replaced or removed logo frees
 * its space). Logos are at most 512 px a side, typically tens of KB.
 */
export const LOGO_STORAGE_QUOTA_BYTES = 5 * 1024 * 1024;

/** The wait before checking a password, per attempt past "login.email" without a captcha. */
export const loginSlowdown = { firstDelayMs: 1000, maxDelayMs: 16_000 };

/** The wait for the `excess`-th attempt past the per-account threshold: 1 s, 2 s, 4 s, … 16 s. */
export function loginDelayMs(excess: number): number {
  if (excess <= 0) return 0;
  return Math.min(loginSlowdown.maxDelayMs, loginSlowdown.firstDelayMs * 2 ** Math.min(excess - 1, 30));
}
