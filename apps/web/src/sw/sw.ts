/**
 * The portal's service worker (served as /sw.js, scope /): it keeps the app shell for offline
 * starts and shows push notifications. It never caches the API: see policy.ts.
 *
 * The build (vite.config.ts) replaces the shell placeholder below with this build's files.
 */
import {
  clickIntent,
  type NotificationData,
  notificationFor,
  type PortalMessage,
  readPush,
} from "./notifications";
import { cacheRule, SHELL_CACHE_PREFIX, shellCacheName } from "./policy";

const sw = self as unknown as ServiceWorkerGlobalScope & {
  handleNotificationAction: typeof handleNotificationAction;
};

const shellFiles: string[] = JSON.parse("__CAC_SHELL_FILES__");
const shellCache = shellCacheName(shellFiles);

sw.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache);
      // Fresh from the server, not the HTTP cache: index.html must name this build's assets.
      await cache.addAll(shellFiles.map((file) => new Request(file, { cache: "reload" })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(
        names
          .filter((name) => name.startsWith(SHELL_CACHE_PREFIX) && name !== shellCache)
          .map((name) => caches.delete(name)),
      );
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("fetch", (event) => {
  const rule = cacheRule(event.request, sw.location.origin);
  if (rule === "network") return;
  if (rule === "navigation") {
    event.respondWith(
      fetch(event.request).catch(async () => {
        const shell = await caches.match("/index.html", { cacheName: shellCache });
        return shell ?? Response.error();
      }),
    );
    return;
  }
  event.respondWith(
    (async () => (await caches.match(event.request, { cacheName: shellCache })) ?? fetch(event.request))(),
  );
});

sw.addEventListener("push", (event) => {
  const { title, options } = notificationFor(readPush(event.data?.text()));
  event.waitUntil(sw.registration.showNotification(title, options));
});

sw.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    handleNotificationAction({
      action: event.action,
      data: event.notification.data as Partial<NotificationData> | null,
    }),
  );
});

/**
 * A click on a notification or one of its actions: an open portal window is brought up and told
 * (it answers or declines the call without reloading); without one, the portal opens at the
 * notification's link, which carries the same request. Shared with the e2e test, which cannot
 * click a notification's buttons.
 */
async function handleNotificationAction({
  action,
  data,
}: {
  action: string;
  data: Partial<NotificationData> | null | undefined;
}): Promise<"messaged" | "opened" | "none"> {
  const intent = clickIntent(action, data);
  const windows = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const portal = windows
    .filter((client) => new URL(client.url).origin === sw.location.origin)
    .sort((a, b) => Number(b.focused) - Number(a.focused))[0];
  if (portal && intent.kind === "message") {
    await focus(portal);
    portal.postMessage(intent.message satisfies PortalMessage);
    return "messaged";
  }
  const url = intent.kind === "message" ? intent.fallbackUrl : intent.url;
  const opened = await sw.clients.openWindow(url).catch(() => null);
  return opened ? "opened" : "none";
}

/** Focusing is allowed only while handling a click; outside one the message still gets there. */
async function focus(client: WindowClient) {
  try {
    await client.focus();
  } catch {
    // Not allowed now (no click): the window is told all the same.
  }
}

sw.handleNotificationAction = handleNotificationAction;
