import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Settings } from "../src/context";
import { callIceConfig, TURN_CREDENTIAL_SECONDS, turnCredential } from "../src/services/calls/ice-servers";

/** coturn's shared-secret mode ("TURN REST API"): username `expiry:sessionId`, password base64(HMAC-SHA1). */

const SECRET = "a-coturn-static-auth-secret-of-32-chars";
const SESSION = "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60";
const NOW = new Date("2026-03-01T12:00:00Z");

function settings(calls: Partial<Settings["calls"]>): Pick<Settings, "calls"> {
  return { calls: { ringTimeoutSeconds: 30, iceServers: [], ...calls } };
}
const at = (now: Date) => ({ now: () => now });

describe("a call's TURN credential", () => {
  it("matches a vector computed outside Node (openssl dgst -sha1 -hmac … -binary | base64)", () => {
    // printf '%s' "1772367000:6f1c…5f60" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
    expect(turnCredential(SECRET, SESSION, NOW)).toEqual({
      username: `1772367000:${SESSION}`,
      credential: "4JbxFX7mnkTVQ6LqrnEA72NI91U=",
    });
  });

  it("is base64(HMAC-SHA1(secret, username)) of a username `expiry:sessionId`, the expiry 10 minutes or less away", () => {
    for (const now of [NOW, new Date("2026-03-01T12:00:00.999Z"), new Date("2031-07-15T23:59:59.500Z")]) {
      const { username, credential } = turnCredential(SECRET, SESSION, now);
      const [expiry, sessionId, ...rest] = username.split(":");
      expect(rest).toEqual([]);
      expect(sessionId).toBe(SESSION);
      expect(expiry).toMatch(/^\d+$/);
      const seconds = Number(expiry) - now.getTime() / 1000;
      expect(seconds).toBeGreaterThan(TURN_CREDENTIAL_SECONDS - 1);
      expect(seconds).toBeLessThanOrEqual(600);
      expect(credential).toBe(createHmac("sha1", SECRET).update(username).digest("base64"));
    }
  });

  it("differs per call and per secret", () => {
    const other = "0d6f1b2a-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    const a = turnCredential(SECRET, SESSION, NOW).credential;
    expect(turnCredential(SECRET, other, NOW).credential).not.toBe(a);
    expect(turnCredential(`${SECRET}!`, SESSION, NOW).credential).not.toBe(a);
  });
});

describe("the ICE configuration of a call", () => {
  const stun = { urls: "stun:stun.example.com:3478" };

  it("without TURN_URLS: the static ICE_SERVERS and the default policy, nothing else", () => {
    const deps = { clock: at(NOW), settings: settings({ iceServers: [stun] }) as Settings };
    expect(callIceConfig(deps, SESSION)).toEqual({ iceServers: [stun], iceTransportPolicy: "all" });
  });

  it("with coturn: the static servers, then coturn's URLs with this call's credential, at the clock's time", () => {
    const urls = ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"];
    const deps = {
      clock: at(NOW),
      settings: settings({
        iceServers: [stun],
        turn: { urls, secret: SECRET },
        iceTransportPolicy: "relay",
      }) as Settings,
    };
    expect(callIceConfig(deps, SESSION)).toEqual({
      iceServers: [
        stun,
        { urls, username: `1772367000:${SESSION}`, credential: "4JbxFX7mnkTVQ6LqrnEA72NI91U=" },
      ],
      iceTransportPolicy: "relay",
    });
    // The secret itself is never part of what browsers receive.
    expect(JSON.stringify(callIceConfig(deps, SESSION))).not.toContain(SECRET);
  });
});
