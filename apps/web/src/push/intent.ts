/**
 * A call the member acted on in a push notification (Answer, Decline, or the notification itself),
 * waiting for the portal to act: it may need to switch account first, and the phone panel of that
 * account to open. It comes from the notification's link (`/?answer=<callId>&account=<id>`, plus
 * `&decline=1` for Decline) or from the service worker's message to an open window.
 */

export type CallIntent = { callId: string; accountId: string; action: "answer" | "decline" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The request in a notification's link, or null when the link carries none (or a malformed one). */
export function readCallIntent(search: string): CallIntent | null {
  const params = new URLSearchParams(search);
  const callId = params.get("answer");
  const accountId = params.get("account");
  if (!callId || !UUID.test(callId) || !accountId || !UUID.test(accountId)) return null;
  return { callId, accountId, action: params.get("decline") === "1" ? "decline" : "answer" };
}

/** The link without the request, so a reload or Back does not answer again. */
export function withoutCallIntent(search: string): string {
  const params = new URLSearchParams(search);
  for (const key of ["answer", "account", "decline"]) params.delete(key);
  const rest = params.toString();
  return rest ? `?${rest}` : "";
}

/** A message from the service worker, if it is one that carries a call. */
export function intentFromMessage(data: unknown): CallIntent | null {
  if (!data || typeof data !== "object") return null;
  const m = data as Record<string, unknown>;
  if (m.type !== "answer" && m.type !== "decline") return null;
  if (typeof m.callId !== "string" || !UUID.test(m.callId)) return null;
  if (typeof m.accountId !== "string" || !UUID.test(m.accountId)) return null;
  return { callId: m.callId, accountId: m.accountId, action: m.type };
}

let pending: CallIntent | null = null;
const listeners = new Set<() => void>();

/** The request waiting to be acted on (the newest wins: one call is answered at a time). */
export const callIntents = {
  get: () => pending,
  put(intent: CallIntent) {
    pending = intent;
    for (const listener of listeners) listener();
  },
  /** Takes the request for `accountId`'s panel; null when there is none, or it is for another account. */
  take(accountId: string): CallIntent | null {
    if (!pending || pending.accountId !== accountId) return null;
    const intent = pending;
    pending = null;
    return intent;
  },
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
};
