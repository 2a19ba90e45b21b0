import { createHmac } from "node:crypto";
import type { Context, Settings } from "../../context";

/**
 * How long a call's TURN credential can open a relay. A browser allocates its relay when the call
 * connects (a visitor's call rings at most RING_TIMEOUT_SECONDS ≤ 300 s first); coturn checks the
 * expiry only then, so a relay opened in time lasts the whole call.
 */
export const TURN_CREDENTIAL_SECONDS = 600;

export type IceServer = Settings["calls"]["iceServers"][number];

/** What both browsers of a call pass to `new RTCPeerConnection(...)`. */
export type CallIceConfig = { iceServers: IceServer[]; iceTransportPolicy: "all" | "relay" };

/**
 * coturn's shared-secret credential (the "TURN REST API"; coturn's `use-auth-secret` with
 * `static-auth-secret`): the username is `expiry:sessionId`, the expiry in Unix seconds, and the
 * password base64(HMAC-SHA1(secret, username)). coturn recomputes the password from its own copy of
 * the secret and refuses the username once its expiry has passed, so nothing is stored anywhere.
 */
export function turnCredential(secret: string, sessionId: string, now: Date) {
  const expires = Math.floor(now.getTime() / 1000) + TURN_CREDENTIAL_SECONDS;
  const username = `${expires}:${sessionId}`;
  return { username, credential: createHmac("sha1", secret).update(username).digest("base64") };
}

/** The ICE servers of one call: the static ICE_SERVERS, then coturn with this call's credential. */
export function callIceConfig(deps: Pick<Context, "clock" | "settings">, sessionId: string): CallIceConfig {
  const { iceServers, turn, iceTransportPolicy = "all" } = deps.settings.calls;
  if (!turn) return { iceServers, iceTransportPolicy };
  const relay = { urls: turn.urls, ...turnCredential(turn.secret, sessionId, deps.clock.now()) };
  return { iceServers: [...iceServers, relay], iceTransportPolicy };
}
