import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { relayMode } from "../src/relay-mode";
import { type Business, closeBusinessPanels, openBusiness, startCallFrom } from "./abuse-world";
import { configProblems } from "./config-problems";
import { HARNESS_TIMEOUT_MS, type Harness, LIFTED, startHarness, uniqueIp } from "./harness";

/**
 * TURN_URLS + TURN_SECRET (coturn's shared-secret mode): the visitor's `calls.start` and the agent's
 * `phone.answer` each hand their browser coturn with a credential for the call, computed from the
 * server's clock, next to the static ICE_SERVERS. The secret and the credentials never reach a log.
 * (Real coturn accepting and refusing these credentials: coturn.test.ts and e2e/turn-relay.spec.ts.)
 */

const SECRET = "9f2c8e41d7a65b30f1e4c9a82d7b6e05c3f1a9e8";
const URLS = "turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349?transport=tcp";
const STUN = { urls: "stun:stun.example.com:3478" };

const expectedCredential = (username: string) => createHmac("sha1", SECRET).update(username).digest("base64");

describe("TURN settings", () => {
  it("are off by default: no relay, the policy 'all', and the portal says direct connections only", () => {
    const { calls } = loadConfig({});
    expect(calls).toMatchObject({ iceServers: [], turn: undefined, iceTransportPolicy: "all" });
    expect(relayMode(calls)).toBe("none (direct connections only)");
  });

  it("read TURN_URLS as a list and keep the secret out of the modes line", () => {
    const { calls } = loadConfig({ TURN_URLS: ` ${URLS.replace(",", " , ")} `, TURN_SECRET: SECRET });
    expect(calls.turn).toEqual({
      urls: ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"],
      secret: SECRET,
    });
    const mode = relayMode(calls);
    expect(mode).toBe(
      "coturn at turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349?transport=tcp (shared secret: a credential per call, valid 10 minutes)",
    );
    expect(mode).not.toContain(SECRET);
  });

  it("name a static TURN server of ICE_SERVERS, and relay-only when ICE_TRANSPORT_POLICY says so", () => {
    const { calls } = loadConfig({
      ICE_SERVERS: JSON.stringify([
        STUN,
        { urls: ["turn:relay.example.com:3478"], username: "u", credential: "p" },
      ]),
      ICE_TRANSPORT_POLICY: "relay",
    });
    expect(calls.iceTransportPolicy).toBe("relay");
    expect(relayMode(calls)).toBe(
      "turn:relay.example.com:3478 (fixed credentials from ICE_SERVERS); relay only (ICE_TRANSPORT_POLICY=relay)",
    );
  });

  it("refuse half a setup, a short secret, a URL that is not turn:, and relay-only without a relay", () => {
    expect(configProblems({ TURN_URLS: URLS })).toEqual([
      "TURN_SECRET: is required when TURN_URLS is set (each call's TURN credential needs both)",
    ]);
    expect(configProblems({ TURN_SECRET: SECRET })).toEqual([
      "TURN_URLS: is required when TURN_SECRET is set (each call's TURN credential needs both)",
    ]);
    const short = "north-wind-shared";
    const tooShort = configProblems({ TURN_URLS: URLS, TURN_SECRET: short });
    expect(tooShort).toEqual([expect.stringMatching(/^TURN_SECRET: must be at least 32 characters/)]);
    expect(tooShort.join("\n")).not.toContain(short);
    expect(configProblems({ TURN_URLS: "https://turn.example.com", TURN_SECRET: SECRET })).toEqual([
      expect.stringMatching(/^TURN_URLS: must be a comma-separated list of turn: or turns: URLs/),
    ]);
    expect(configProblems({ TURN_URLS: " , ", TURN_SECRET: SECRET })).toEqual([
      "TURN_URLS: must name at least one turn: or turns: URL",
    ]);
    expect(configProblems({ ICE_TRANSPORT_POLICY: "relay", ICE_SERVERS: JSON.stringify([STUN]) })).toEqual([
      expect.stringMatching(/^ICE_TRANSPORT_POLICY: relay needs a TURN server/),
    ]);
    expect(configProblems({ ICE_TRANSPORT_POLICY: "turn-only" })).toEqual([
      'ICE_TRANSPORT_POLICY: must be "all" or "relay"',
    ]);
  });
});

describe("a browser call with coturn configured", () => {
  const lines: string[] = [];
  let h: Harness;
  let shop: Business;
  beforeAll(async () => {
    h = await startHarness({
      env: {
        TURN_URLS: URLS,
        TURN_SECRET: SECRET,
        ICE_SERVERS: JSON.stringify([STUN]),
        ICE_TRANSPORT_POLICY: "relay",
        // Everything the server could log, to see that no credential is in it.
        LOG_LEVEL: "trace",
      },
      limits: { "call.ip": LIFTED, "call.button": LIFTED },
      build: { jobs: false, logStream: { write: (line: string) => void lines.push(line) } },
    });
    shop = await openBusiness(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  it("gives the visitor and the agent each a credential for the call, valid 10 minutes from the server's clock", async () => {
    const startedAt = h.clock.now();
    const started = await startCallFrom(h, shop, uniqueIp());
    if (started.transport !== "webrtc") throw new Error(`expected a browser call, got ${started.transport}`);
    const visitorExpiry = startedAt.getTime() / 1000 + 600;
    const visitorUser = `${visitorExpiry}:${started.sessionId}`;
    expect(started.iceTransportPolicy).toBe("relay");
    expect(started.iceServers).toEqual([
      STUN,
      {
        urls: ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"],
        username: visitorUser,
        credential: expectedCredential(visitorUser),
      },
    ]);

    // The agent answers 20 s later: a credential of its own, counted from the answer.
    h.clock.advance(20_000);
    const answered = await shop.client.trpc.phone.answer.mutate({ sessionId: started.sessionId });
    const agentUser = `${visitorExpiry + 20}:${started.sessionId}`;
    expect(answered.iceTransportPolicy).toBe("relay");
    expect(answered.iceServers).toEqual([
      STUN,
      { urls: expect.any(Array), username: agentUser, credential: expectedCredential(agentUser) },
    ]);

    await shop.client.trpc.phone.hangUp.mutate({ sessionId: started.sessionId });
    const log = lines.join("");
    // The log did capture both requests that handed out credentials.
    expect(log).toContain('"url":"/trpc/calls.start"');
    expect(log).toContain('"url":"/trpc/phone.answer"');
    for (const secret of [SECRET, expectedCredential(visitorUser), expectedCredential(agentUser)]) {
      expect(log).not.toContain(secret);
    }
  });

  it("the portal's modes line names the relay", async () => {
    const info = await shop.client.trpc.system.info.query();
    expect(info.modes.turn).toBe(
      "coturn at turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349?transport=tcp (shared secret: a credential per call, valid 10 minutes); relay only (ICE_TRANSPORT_POLICY=relay)",
    );
    expect(JSON.stringify(info)).not.toContain(SECRET);
  });
});
