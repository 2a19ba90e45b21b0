import type { PushSender } from "@cac/core";

/** No VAPID keys configured: push is off, subscriptions are refused, and nothing is sent. */
export const pushOff: PushSender = {
  mode: "off",
  publicKey: null,
  async send() {
    return { ok: false, gone: false, status: null, reason: "push notifications are off on this server" };
  },
};
