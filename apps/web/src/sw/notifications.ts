/**
 * The push notifications the service worker shows, and where their clicks lead, as pure functions
 * (the worker in sw.ts only wires them to the browser). The payload's shape is the server's: see
 * the notifications service.
 */

export type PushType = "incoming_call" | "call_taken" | "missed_call" | "callback" | "test";

export type PushPayload = {
  type: PushType;
  title: string;
  body: string;
  tag: string;
  url: string;
  callId?: string;
  accountId: string;
  actions?: Array<{ action: string; title: string }>;
};

/** What a notification carries for its click. */
export type NotificationData = { url: string; callId: string | null; accountId: string; type: PushType };

const types: PushType[] = ["incoming_call", "call_taken", "missed_call", "callback", "test"];

/** The payload as sent, or null when it is not one (a push with no data, or from an older server). */
export function readPush(text: string | null | undefined): PushPayload | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const p = value as Record<string, unknown>;
  if (!types.includes(p.type as PushType) || typeof p.title !== "string") return null;
  const actions = Array.isArray(p.actions)
    ? p.actions.filter(
        (a): a is { action: string; title: string } =>
          Boolean(a) && typeof a.action === "string" && typeof a.title === "string",
      )
    : undefined;
  return {
    type: p.type as PushType,
    title: p.title,
    body: typeof p.body === "string" ? p.body : "",
    tag: typeof p.tag === "string" ? p.tag : "",
    url: typeof p.url === "string" && p.url.startsWith("/") && !p.url.startsWith("//") ? p.url : "/",
    ...(typeof p.callId === "string" ? { callId: p.callId } : {}),
    accountId: typeof p.accountId === "string" ? p.accountId : "",
    ...(actions ? { actions } : {}),
  };
}

type Shown = {
  title: string;
  options: NotificationOptions & { actions?: Array<{ action: string; title: string }>; renotify?: boolean };
};

/** The notification a push shows. A call's stays until acted on; "call_taken" replaces it by its tag. */
export function notificationFor(payload: PushPayload | null): Shown {
  if (!payload) {
    return {
      title: "Click & Call",
      options: { body: "Open the portal to see what happened.", icon: "/icons/icon-192.png" },
    };
  }
  const data: NotificationData = {
    url: payload.url,
    callId: payload.callId ?? null,
    accountId: payload.accountId,
    type: payload.type,
  };
  const ringing = payload.type === "incoming_call";
  return {
    title: payload.title,
    options: {
      body: payload.body,
      data,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-maskable-192.png",
      ...(payload.tag ? { tag: payload.tag, renotify: ringing } : {}),
      ...(ringing ? { requireInteraction: true, actions: payload.actions ?? [] } : {}),
    },
  };
}

/** What a click on the notification (or one of its actions) asks of the portal. */
export type ClickIntent =
  /** Tell an open portal window, which acts on it without reloading. */
  | { kind: "message"; message: PortalMessage; fallbackUrl: string }
  /** Open (or bring up) the portal at this path. */
  | { kind: "open"; url: string };

/** What the worker posts to a portal window. */
export type PortalMessage =
  | { type: "answer"; callId: string; accountId: string }
  | { type: "decline"; callId: string; accountId: string }
  | { type: "open"; url: string };

export function clickIntent(action: string, data: Partial<NotificationData> | null | undefined): ClickIntent {
  const url = typeof data?.url === "string" && data.url.startsWith("/") ? data.url : "/";
  const callId = data?.callId ?? null;
  const accountId = data?.accountId ?? "";
  if (data?.type === "incoming_call" && callId) {
    const type = action === "decline" ? "decline" : "answer";
    const fallbackUrl = type === "decline" ? `${url}${url.includes("?") ? "&" : "?"}decline=1` : url;
    return { kind: "message", message: { type, callId, accountId }, fallbackUrl };
  }
  return { kind: "message", message: { type: "open", url }, fallbackUrl: url };
}
