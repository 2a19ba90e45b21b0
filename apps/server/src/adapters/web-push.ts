import type { Agent } from "node:https";
import type { PushSender } from "@cac/core";
import webpush from "web-push";
import type { VapidConfig } from "../config/types";

/** How long one push request may take before it counts as failed (the call flow never waits on it). */
const PUSH_TIMEOUT_MS = 10_000;

/**
 * Web Push through the `web-push` library: each payload encrypted for its device (aes128gcm,
 * RFC 8291) and the request signed with the server's VAPID key (RFC 8292). `agent` lets tests trust
 * a local push service's certificate. Failures are answered, never thrown; the endpoint and the
 * keys stay out of the reason (an endpoint is a capability to push to that device).
 */
export function createWebPush(vapid: VapidConfig, options: { agent?: Agent } = {}): PushSender {
  const vapidDetails = { subject: vapid.subject, publicKey: vapid.publicKey, privateKey: vapid.privateKey };
  return {
    mode: "web-push",
    publicKey: vapid.publicKey,
    async send(target, payload, sendOptions) {
      try {
        await webpush.sendNotification(target, payload, {
          vapidDetails,
          TTL: sendOptions.ttlSeconds,
          urgency: sendOptions.urgency,
          contentEncoding: "aes128gcm",
          timeout: PUSH_TIMEOUT_MS,
          ...(options.agent ? { agent: options.agent } : {}),
        });
        return { ok: true };
      } catch (error) {
        if (error instanceof webpush.WebPushError) {
          const status = error.statusCode;
          return {
            ok: false,
            gone: status === 404 || status === 410,
            status,
            reason: `the push service answered ${status}`,
          };
        }
        return { ok: false, gone: false, status: null, reason: (error as Error).message ?? String(error) };
      }
    },
  };
}
