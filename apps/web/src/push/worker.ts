/**
 * Registers the portal's service worker (production builds only: the dev server has no /sw.js,
 * and tests run without one) and routes its messages: a call answered or declined in a
 * notification goes to the phone panel, another notification's link to the router.
 */
import { callIntents, intentFromMessage } from "./intent";

export function startPortalWorker(navigate: (url: string) => void) {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.addEventListener("message", (event: MessageEvent) => {
    const intent = intentFromMessage(event.data);
    if (intent) {
      callIntents.put(intent);
      return;
    }
    const data = event.data as { type?: unknown; url?: unknown } | null;
    if (data?.type === "open" && typeof data.url === "string" && data.url.startsWith("/")) {
      // The link may carry a call request itself (/?answer=…): the app layout reads it from there.
      navigate(data.url);
    }
  });
  // Messages sent before the listener was added are delivered now.
  navigator.serviceWorker.startMessages();
  if (!import.meta.env.PROD) return;
  const register = () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error: unknown) => {
      // The portal works without it (no offline start, no push on this device).
      console.warn("The portal's service worker could not be registered.", error);
    });
  };
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}
