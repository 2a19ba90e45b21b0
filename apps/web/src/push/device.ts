/**
 * This browser's push subscription, as the Account › Notifications section and the portal's
 * activity beat use it. The server keeps one row per subscription (its endpoint).
 */
import { describeUserAgent } from "../lib/format";

/** Why push can't work in this browser, or null when it can. */
export function pushUnsupportedReason(): string | null {
  if (typeof window === "undefined") return "This browser can't receive notifications.";
  if (!window.isSecureContext) return "Notifications need the portal to be opened over HTTPS.";
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    // iOS offers push only to the portal added to the home screen.
    return /iPhone|iPad|iPod/.test(navigator.userAgent)
      ? "On an iPhone or iPad, add the portal to your Home Screen (Share › Add to Home Screen), open it from there, then turn notifications on."
      : "This browser can't receive push notifications.";
  }
  return null;
}

/** What the device list calls this browser: "Chrome on Linux", "Safari on iOS (app)". */
export function deviceLabel(userAgent: string, installed: boolean): string {
  const described = describeUserAgent(userAgent);
  const label = described === "Unknown device" ? "This browser" : described;
  return (installed ? `${label} (app)` : label).slice(0, 100);
}

/** The VAPID public key (base64url) as pushManager.subscribe takes it. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The subscription's keys as the server takes them (base64url, as PushSubscription.toJSON gives them). */
export function subscriptionInput(subscription: PushSubscriptionJSON) {
  const { endpoint, keys } = subscription;
  if (!endpoint || !keys?.p256dh || !keys.auth)
    throw new Error("The browser gave an incomplete subscription.");
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

/** The portal's worker registration, once it is active (null where there is none, e.g. in development). */
export async function portalRegistration(): Promise<ServiceWorkerRegistration | null> {
  if (!("serviceWorker" in navigator)) return null;
  return (await navigator.serviceWorker.getRegistration("/")) ?? null;
}

/** This browser's current subscription, if it has one. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (pushUnsupportedReason()) return null;
  const registration = await portalRegistration();
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/** Whether the portal runs as the installed app. */
export function runsInstalled(): boolean {
  return typeof matchMedia === "function" && matchMedia("(display-mode: standalone)").matches;
}
