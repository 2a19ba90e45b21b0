/**
 * Web Push rules both sides read: the portal (which says how long a ring waits for a phone to wake
 * up) and the server (who counts as reachable, what a notification carries).
 */

/** A device whose portal said it is alive this recently counts as reachable by push for ring-all. */
export const PUSH_ACTIVE_MS = 10 * 60_000;

/**
 * A call that rings only members reachable by push (no panel open) rings at least this long: the
 * phone has to wake, show the notification, and open the portal before the answer can reach us.
 */
export const PUSH_COLD_START_SECONDS = 30;

/** A call's notification is worthless once the ring is over. */
export const PUSH_CALL_TTL_SECONDS = 60;
/** Missed calls, callbacks and tests wait for an offline device a day. */
export const PUSH_NOTICE_TTL_SECONDS = 24 * 60 * 60;

export type PushEventType = "incoming_call" | "call_taken" | "missed_call" | "callback" | "test";

/** The JSON a notification carries (encrypted for the device); the service worker shows it. */
export type PushPayload = {
  type: PushEventType;
  title: string;
  body: string;
  /** "call-<callId>" for a call's events, so `call_taken` replaces the ring's notification. */
  tag: string;
  /** The portal path the notification opens. */
  url: string;
  callId?: string;
  accountId: string;
  actions?: Array<{ action: "answer" | "decline"; title: string }>;
};

/** The tag of a call's notifications: each event of the call replaces the one before. */
export function callTag(callId: string): string {
  return `call-${callId}`;
}

/**
 * "acme-plumbing.com/pricing" from the page a call started on (no scheme, no query, no "www."):
 * the notification's title says where the visitor is. Null when there is no usable page.
 */
export function pageLabel(pageUrl: string | null | undefined): string | null {
  if (!pageUrl) return null;
  try {
    const url = new URL(pageUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    const host = url.hostname.replace(/^www\./, "");
    const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
    const label = `${host}${path}`;
    return label.length > 80 ? `${label.slice(0, 79)}…` : label;
  } catch {
    return null;
  }
}
