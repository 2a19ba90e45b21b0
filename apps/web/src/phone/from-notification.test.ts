// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PhoneController } from "./controller";
import { FakePeer, stream } from "./test-doubles";
import type { AgentEvent, RingingCall } from "./types";

/**
 * A call opened from a push notification: the controller asks the server where the call stands
 * (phone.callState), then answers it through the ring card's own path once its ring reaches the
 * panel, declines it, or says who took it.
 */

type Observer = { onData(event: { id: string; data: AgentEvent }): void };

const ring: RingingCall = {
  sessionId: "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60",
  buttonId: "b1",
  buttonName: "Main site",
  pageUrl: "https://shop.test/pricing",
  startedAt: "2026-03-02T15:00:00.000Z",
};

let calls: Array<[string, unknown]>;
let observer: Observer | undefined;
let state: { state: "ringing" | "answered" | "ended"; answeredBy: string | null; ringsYou: boolean };
let phone: PhoneController;

function fakeClient() {
  const record =
    (path: string, result: () => unknown = () => ({ ok: true, ended: true })) =>
    async (input: unknown) => {
      calls.push([path, input]);
      return result();
    };
  return {
    phone: {
      setAvailable: { mutate: record("setAvailable", () => ({ available: true })) },
      availability: {
        query: async () => ({ available: true, reachable: true, hours: null, timezone: "UTC" }),
      },
      callState: { query: record("callState", () => state) },
      answer: {
        mutate: record("answer", () => ({
          sessionId: ring.sessionId,
          iceServers: [],
          iceTransportPolicy: "all",
          maxCallSeconds: 3600,
        })),
      },
      decline: { mutate: record("decline") },
      signal: { mutate: record("signal") },
      hangUp: { mutate: record("hangUp") },
      voiceLine: { query: async () => ({ mode: "webrtc" }) },
      events: {
        subscribe: (_input: unknown, o: Observer) => {
          observer = o;
          return { unsubscribe: () => {} };
        },
      },
    },
  };
}

const feed = (event: AgentEvent) => observer?.onData({ id: "1700-1", data: event });
const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

beforeEach(() => {
  calls = [];
  observer = undefined;
  state = { state: "ringing", answeredBy: null, ringsYou: true };
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: vi.fn(async () => stream()) },
    configurable: true,
  });
  vi.stubGlobal("RTCPeerConnection", FakePeer);
  phone = new PhoneController(fakeClient() as never, "user-1");
});

afterEach(() => {
  phone.dispose();
  vi.unstubAllGlobals();
});

describe("a call opened from a notification", () => {
  it("is answered through the panel's own answer path once its ring arrives on the opening feed", async () => {
    const opening = phone.fromNotification(ring.sessionId, "answer");
    await until(() => observer);
    expect(calls.some(([path]) => path === "answer")).toBe(false);
    feed({ type: "ring", call: ring });
    await opening;
    expect(calls.filter(([path]) => path === "answer")).toEqual([["answer", { sessionId: ring.sessionId }]]);
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.call).toMatchObject({ sessionId: ring.sessionId, buttonName: "Main site" });
    phone.hangUp();
    await until(() => calls.some(([path]) => path === "hangUp"));
  });

  it("says who took it, when someone did", async () => {
    state = { state: "answered", answeredBy: "Ana", ringsYou: false };
    await phone.fromNotification(ring.sessionId, "answer");
    expect(phone.state.notice).toEqual({ tone: "info", text: "Taken by Ana." });
    expect(calls.some(([path]) => path === "answer")).toBe(false);
  });

  it("says that it ended (and who had taken it, if anyone)", async () => {
    state = { state: "ended", answeredBy: null, ringsYou: false };
    await phone.fromNotification(ring.sessionId, "answer");
    expect(phone.state.notice?.text).toBe("This call has ended.");
    state = { state: "ended", answeredBy: "Ana", ringsYou: false };
    await phone.fromNotification(ring.sessionId, "answer");
    expect(phone.state.notice?.text).toBe("This call has ended. Ana took it.");
  });

  it("says so when the call now rings another member", async () => {
    state = { state: "ringing", answeredBy: null, ringsYou: false };
    await phone.fromNotification(ring.sessionId, "answer");
    expect(phone.state.notice?.text).toBe("This call is ringing another member now.");
  });

  it("Decline declines it on the server (phone.decline) without waiting for its ring", async () => {
    await phone.fromNotification(ring.sessionId, "decline");
    expect(calls.filter(([path]) => path === "decline")).toEqual([
      ["decline", { sessionId: ring.sessionId }],
    ]);
    expect(phone.state.notice?.text).toBe("You declined the call.");
  });
});
