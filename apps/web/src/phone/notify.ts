/**
 * Browser notifications for incoming calls, so an agent working in another tab or window sees
 * the ring. Permission is asked when the agent sets themselves available (a click), never on load.
 */

const supported = () => typeof window !== "undefined" && "Notification" in window;

export async function askNotificationPermission(): Promise<void> {
  if (!supported() || Notification.permission !== "default") return;
  try {
    await Notification.requestPermission();
  } catch {
    // Some browsers only take the callback form, or refuse outside a user gesture: no notifications.
  }
}

/** Shows the ring; returns a function that removes it (answered, declined or gone). */
export function notifyRing(title: string, body: string, tag: string): () => void {
  if (!supported() || Notification.permission !== "granted") return () => {};
  try {
    const notification = new Notification(title, { body, tag, requireInteraction: true });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
    return () => notification.close();
  } catch {
    // Mobile browsers only notify through a service worker.
    return () => {};
  }
}
