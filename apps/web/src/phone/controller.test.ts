// @vitest-environment happy-dom
import { TRPCClientError } from "@trpc/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PhoneController } from "./controller";
import { conflict, FakePeer, stream } from "./test-doubles";
import type { AgentEvent, RingingCall } from "./types";

/**
 * The phone panel's logic against a stand-in tRPC client (recording mutations, handing the test
 * the `phone.events` observer) and stand-ins for the microphone and RTCPeerConnection.
 */

type Observer = {
  onData(event: { id: string; data: AgentEvent }): void;
  onConnectionStateChange?(state: { state: string; error: unknown }): void;
  onError?(error: unknown): void;
};

let calls: Array<[string, unknown]>;
let observer: Observer | undefined;
/** What each `phone.events` subscription was opened with (the resume id on a reconnect). */
let subscribed: unknown[];
let eventId: number;
/** An event of the feed, as the tracked event tRPC delivers. */
const feed = (event: AgentEvent) => observer?.onData({ id: `1700-${++eventId}`, data: event });
let unsubscribed: number;
let answerResult: () => Promise<unknown>;
let getUserMedia: ReturnType<typeof vi.fn>;
let peers: FakePeer[];

/** The availability the server holds per user (what phone.availability answers). */
let held: Map<string, boolean>;

function fakeClient(userId = "user-1") {
  const mutation = (path: string, result: () => Promise<unknown> = async () => ({ ok: true })) => ({
    mutate: (input: unknown) => {
      calls.push([path, input]);
      return result();
    },
  });
  return {
    phone: {
      setAvailable: {
        mutate: async (input: { available: boolean }) => {
          calls.push(["setAvailable", input]);
          held.set(userId, input.available);
          return input;
        },
      },
      availability: {
        query: async () => ({
          available: held.get(userId) ?? false,
          reachable: false,
          hours: null,
          timezone: "America/New_York",
        }),
      },
      answer: mutation("answer", () => answerResult()),
      decline: mutation("decline"),
      signal: mutation("signal"),
      hangUp: mutation("hangUp"),
      voiceLine: { query: async () => ({ mode: "webrtc" }) },
      events: {
        subscribe: (input: unknown, o: Observer) => {
          subscribed.push(input);
          observer = o;
          return {
            unsubscribe: () => {
              unsubscribed++;
            },
          };
        },
      },
    },
  };
}

const ring: RingingCall = {
  sessionId: "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60",
  buttonId: "b1",
  buttonName: "Main site",
  pageUrl: "https://shop.test/pricing",
  startedAt: "2026-03-02T15:00:00.000Z",
};
const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

let phone: PhoneController;

async function available() {
  phone = new PhoneController(fakeClient() as never, "user-1");
  await phone.setAvailable(true);
  observer?.onConnectionStateChange?.({ state: "pending", error: null });
}

beforeEach(() => {
  calls = [];
  observer = undefined;
  subscribed = [];
  eventId = 0;
  unsubscribed = 0;
  FakePeer.created = [];
  peers = FakePeer.created;
  answerResult = async () => ({
    sessionId: ring.sessionId,
    iceServers: [{ urls: "stun:stun.test" }],
    iceTransportPolicy: "all",
    maxCallSeconds: 3600,
  });
  getUserMedia = vi.fn(async () => stream());
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  vi.stubGlobal("RTCPeerConnection", FakePeer);
  held = new Map();
});

afterEach(() => {
  phone?.dispose();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("the phone panel's controller", () => {
  it("setting available calls phone.setAvailable, opens the feed, and the server holds it", async () => {
    await available();
    expect(calls).toEqual([["setAvailable", { available: true }]]);
    expect(phone.state).toMatchObject({ available: true, feed: "open" });
    expect(held.get("user-1")).toBe(true);
    await phone.setAvailable(false);
    expect(unsubscribed).toBe(1);
    expect(phone.state).toMatchObject({ available: false, feed: "off" });
    expect(held.get("user-1")).toBe(false);
  });

  it("follows a switch flipped in another tab or browser (the server's), both ways", async () => {
    phone = new PhoneController(fakeClient() as never, "user-1");
    const other = new PhoneController(fakeClient() as never, "user-1");
    await other.setAvailable(true);
    await phone.sync();
    expect(phone.state).toMatchObject({ available: true });
    await until(() => observer);
    await other.setAvailable(false);
    await phone.sync();
    expect(phone.state).toMatchObject({ available: false, feed: "off" });
    other.dispose();
  });

  it("a refused switch flips back and says why", async () => {
    const client = fakeClient();
    client.phone.setAvailable.mutate = async () => {
      throw new Error("offline");
    };
    phone = new PhoneController(client as never, "user-1");
    await phone.setAvailable(true);
    expect(phone.state.available).toBe(false);
    expect(phone.state.notice?.text).toMatch(/We could not make you available/);
    expect(observer).toBeUndefined();
  });

  it("rings, announces the button and page, and answers: signals that arrive early wait for the connection", async () => {
    await available();
    feed({ type: "ring", call: ring });
    feed({ type: "ring", call: ring });
    expect(phone.state.ringing).toEqual([ring]);
    expect(phone.state.announcement).toBe("Incoming call from Main site, on shop.test/pricing.");

    // The visitor's offer can arrive before phone.answer returns.
    let respond: (value: unknown) => void = () => {};
    answerResult = () => new Promise((resolve) => (respond = resolve));
    const answering = phone.answer(ring.sessionId);
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.call?.phase).toBe("answering");
    await until(() => calls.some(([path]) => path === "answer"));
    const ice = { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 };
    feed({ type: "signal", sessionId: ring.sessionId, payload: { kind: "ice", candidate: ice } });
    feed({
      type: "signal",
      sessionId: ring.sessionId,
      payload: { kind: "offer", sdp: "v=0 offer" },
    });
    expect(peers).toEqual([]);
    // The call's own TURN credential and the server's policy go to the peer connection as given.
    const iceServers = [
      { urls: "stun:stun.test" },
      { urls: ["turn:turn.test:3478"], username: `1772367000:${ring.sessionId}`, credential: "c2lnbmVk" },
    ];
    respond({ sessionId: ring.sessionId, iceServers, iceTransportPolicy: "relay", maxCallSeconds: 3600 });
    await answering;
    const peer = peers[0]!;
    expect(peer.config).toEqual({ iceServers, iceTransportPolicy: "relay" });
    await until(() => calls.some(([path]) => path === "signal"));
    expect(peer.remoteDescription).toEqual({ type: "offer", sdp: "v=0 offer" });
    expect(calls.find(([path]) => path === "signal")?.[1]).toEqual({
      sessionId: ring.sessionId,
      payload: { kind: "answer", sdp: "v=0 agent answer" },
    });
    await until(() => peer.candidates.length === 1);
    expect(peer.candidates).toEqual([ice]);
    expect(phone.state.call).toMatchObject({ phase: "connecting" });

    peer.connectionState = "connected";
    peer.onconnectionstatechange?.();
    expect(phone.state.call?.phase).toBe("connected");

    phone.toggleMute();
    expect(phone.state.call?.muted).toBe(true);

    // The visitor hangs up.
    feed({
      type: "ended",
      sessionId: ring.sessionId,
      status: "completed",
      reason: "The caller hung up.",
      durationSeconds: 42,
    });
    expect(phone.state.call).toMatchObject({
      phase: "ended",
      endedText: "The caller hung up.",
      durationSeconds: 42,
    });
    expect(peer.closed).toBe(true);
    expect(document.querySelector("audio[data-phone-audio]")).toBeNull();
    phone.dismiss();
    expect(phone.state.call).toBeNull();
  });

  it("the agent hangs up: ended here at once, then phone.hangUp", async () => {
    await available();
    feed({ type: "ring", call: ring });
    await phone.answer(ring.sessionId);
    phone.hangUp();
    expect(phone.state.call).toMatchObject({ phase: "ended", endedText: "You hung up." });
    expect(calls.at(-1)).toEqual(["hangUp", { sessionId: ring.sessionId }]);
    expect(peers[0]?.closed).toBe(true);
  });

  it("a call taken by a teammate stops ringing here and says who", async () => {
    await available();
    feed({ type: "ring", call: ring });
    feed({ type: "taken", sessionId: ring.sessionId, byUserId: "user-2", byName: "Dana" });
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.notice).toEqual({ tone: "info", text: "Answered by Dana." });
    // A late ring for it (the feed reconnected) does not ring again.
    feed({ type: "ring", call: ring });
    expect(phone.state.ringing).toEqual([]);
  });

  it("a call whose routing moved on to the next member stops ringing here, for good", async () => {
    await available();
    feed({ type: "ring", call: ring });
    feed({ type: "rang-out", sessionId: ring.sessionId });
    expect(phone.state.ringing).toEqual([]);
    feed({ type: "ring", call: ring });
    expect(phone.state.ringing).toEqual([]);
  });

  it("answering a call someone else got first: 'Answered by a teammate', the microphone is released", async () => {
    await available();
    feed({ type: "ring", call: ring });
    answerResult = async () => {
      throw conflict("Someone else answered this call.");
    };
    await phone.answer(ring.sessionId);
    expect(phone.state.call).toBeNull();
    expect(phone.state.notice).toEqual({ tone: "info", text: "Answered by a teammate." });
    const granted = (await getUserMedia.mock.results[0]?.value) as ReturnType<typeof stream>;
    expect(granted.getTracks()[0]?.stop).toHaveBeenCalled();
  });

  it("a blocked microphone: the call keeps ringing here and the agent is told how to allow it", async () => {
    await available();
    feed({ type: "ring", call: ring });
    getUserMedia.mockRejectedValueOnce(Object.assign(new Error("denied"), { name: "NotAllowedError" }));
    await phone.answer(ring.sessionId);
    expect(calls.some(([path]) => path === "answer")).toBe(false);
    expect(phone.state.call).toBeNull();
    expect(phone.state.ringing).toEqual([ring]);
    expect(phone.state.notice?.text).toMatch(/blocked the microphone/);
  });

  it("declining calls phone.decline; a call that stops ringing unanswered is a missed call", async () => {
    await available();
    feed({ type: "ring", call: ring });
    await phone.decline(ring.sessionId);
    expect(calls.at(-1)).toEqual(["decline", { sessionId: ring.sessionId }]);
    expect(phone.state.ringing).toEqual([]);

    const other = { ...ring, sessionId: "7f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f61" };
    feed({ type: "ring", call: other });
    feed({
      type: "ended",
      sessionId: other.sessionId,
      status: "no-answer",
      reason: null,
      durationSeconds: 0,
    });
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.notice).toEqual({ tone: "warning", text: "Missed call from Main site." });
  });

  it("restores availability on load from the server, without setting it again", async () => {
    held.set("user-1", true);
    phone = new PhoneController(fakeClient() as never, "user-1");
    await until(() => observer);
    expect(phone.state.available).toBe(true);
    expect(calls).toEqual([]);
    // Another user in the same browser does not inherit it.
    const other = new PhoneController(fakeClient("user-2") as never, "user-2");
    await other.sync();
    expect(other.state.available).toBe(false);
    other.dispose();
  });

  it("a feed that ends for good turns calls off here and says so", async () => {
    await available();
    feed({ type: "ring", call: ring });
    // The server refused the stream with a reason: the session ended.
    observer?.onError?.(
      new TRPCClientError("Please log in again.", {
        result: {
          error: {
            message: "Please log in again.",
            code: -32001,
            data: { code: "UNAUTHORIZED", httpStatus: 401 },
          },
        },
      } as never),
    );
    expect(phone.state).toMatchObject({ available: false, feed: "off", ringing: [] });
    expect(phone.state.notice?.text).toMatch(/Calls stopped ringing here/);
  });
  it("a feed that drops keeps the call in progress: it reconnects, resumes, and the visitor's signals still arrive", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    // The call is still up when the test ends: disposing the panel hangs it up with a fetch.
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("{}")),
    );
    await available();
    feed({ type: "ring", call: ring });
    await phone.answer(ring.sessionId);
    const peer = peers[0]!;
    observer?.onConnectionStateChange?.({ state: "connecting", error: new TRPCClientError("network") });
    expect(phone.state.feed).toBe("reconnecting");
    expect(phone.state.call).toMatchObject({ sessionId: ring.sessionId, phase: "connecting" });
    expect(peer.closed).toBe(false);
    await until(() => subscribed.length === 2);
    expect(subscribed[1]).toEqual({ lastEventId: "1700-1" });
    observer?.onConnectionStateChange?.({ state: "pending", error: null });
    expect(phone.state.feed).toBe("open");
    feed({ type: "signal", sessionId: ring.sessionId, payload: { kind: "offer", sdp: "v=0 offer" } });
    await until(() => peer.remoteDescription);
    expect(peer.remoteDescription).toEqual({ type: "offer", sdp: "v=0 offer" });
    expect(phone.state.available).toBe(true);
  });

  it("a WebRTC connection that fails ends the call here with the reason, and on the server", async () => {
    await available();
    feed({ type: "ring", call: ring });
    await phone.answer(ring.sessionId);
    const peer = peers[0]!;
    peer.connectionState = "failed";
    peer.onconnectionstatechange?.();
    expect(phone.state.call).toMatchObject({
      phase: "ended",
      endedText: "The connection to the caller failed.",
    });
    expect(peer.closed).toBe(true);
    expect(calls.at(-1)).toEqual(["hangUp", { sessionId: ring.sessionId }]);
  });

  it("the caller hangs up while the microphone prompt is open: the call is not claimed, the microphone is released", async () => {
    await available();
    feed({ type: "ring", call: ring });
    let grant: (value: unknown) => void = () => {};
    getUserMedia.mockImplementationOnce(() => new Promise((resolve) => (grant = resolve)));
    const answering = phone.answer(ring.sessionId);
    feed({
      type: "ended",
      sessionId: ring.sessionId,
      status: "canceled",
      reason: "The caller hung up.",
      durationSeconds: 0,
    });
    const granted = stream();
    grant(granted);
    await answering;
    expect(calls.some(([path]) => path === "answer")).toBe(false);
    expect(peers).toEqual([]);
    expect(granted.getTracks()[0]?.stop).toHaveBeenCalled();
    expect(phone.state.call).toMatchObject({ phase: "ended", endedText: "The caller hung up." });
  });

  it("logging out while the microphone prompt is open does not claim the call, and hangs it up", async () => {
    const sent = vi.fn(async (_url: string, _init: RequestInit) => new Response("{}"));
    vi.stubGlobal("fetch", sent);
    await available();
    feed({ type: "ring", call: ring });
    let grant: (value: unknown) => void = () => {};
    getUserMedia.mockImplementationOnce(() => new Promise((resolve) => (grant = resolve)));
    const answering = phone.answer(ring.sessionId);
    phone.dispose();
    const granted = stream();
    grant(granted);
    await answering;
    expect(calls.some(([path]) => path === "answer")).toBe(false);
    expect(granted.getTracks()[0]?.stop).toHaveBeenCalled();
    // Leaving in a call hangs up with a request that outlives the page.
    expect(sent).toHaveBeenCalledTimes(1);
    expect(sent.mock.calls[0]?.[0]).toBe("/trpc/phone.hangUp");
    expect(sent.mock.calls[0]?.[1]).toMatchObject({
      keepalive: true,
      body: JSON.stringify({ json: { sessionId: ring.sessionId } }),
    });
  });
});
