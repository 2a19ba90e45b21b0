// @vitest-environment happy-dom
import { TRPCClientError } from "@trpc/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type AgentEvent, PhoneController, type RingingCall } from "./controller";

/**
 * The phone panel's logic against a stand-in tRPC client (recording mutations, handing the test
 * the `phone.events` observer) and stand-ins for the microphone and RTCPeerConnection.
 */

type Observer = {
  onData(event: AgentEvent): void;
  onConnectionStateChange?(state: { state: string; error: unknown }): void;
  onError?(error: unknown): void;
};

let calls: Array<[string, unknown]>;
let observer: Observer | undefined;
let unsubscribed: number;
let answerResult: () => Promise<unknown>;
let getUserMedia: ReturnType<typeof vi.fn>;
let peers: FakePeer[];

class FakeTrack {
  kind = "audio";
  enabled = true;
  stop = vi.fn();
}
const stream = () => {
  const tracks = [new FakeTrack()];
  return { getTracks: () => tracks, getAudioTracks: () => tracks };
};

class FakePeer {
  remoteDescription: unknown = null;
  localDescription: { sdp: string } | null = null;
  connectionState = "new";
  candidates: unknown[] = [];
  closed = false;
  onconnectionstatechange: (() => void) | null = null;
  ontrack = null;
  onicecandidate = null;
  constructor(readonly config: RTCConfiguration) {
    peers.push(this);
  }
  addTrack() {}
  async setRemoteDescription(d: unknown) {
    this.remoteDescription = d;
  }
  async createAnswer() {
    return { type: "answer", sdp: "v=0 agent answer" };
  }
  async setLocalDescription(d: { sdp: string }) {
    this.localDescription = d;
  }
  async addIceCandidate(c: unknown) {
    this.candidates.push(c);
  }
  close() {
    this.closed = true;
  }
}

const conflict = (message: string) =>
  new TRPCClientError(message, {
    result: { error: { message, code: -32603, data: { code: "CONFLICT", httpStatus: 409, appCode: null } } },
  } as never);

function fakeClient() {
  const mutation = (path: string, result: () => Promise<unknown> = async () => ({ ok: true })) => ({
    mutate: (input: unknown) => {
      calls.push([path, input]);
      return result();
    },
  });
  return {
    phone: {
      setAvailable: mutation("setAvailable"),
      answer: mutation("answer", () => answerResult()),
      decline: mutation("decline"),
      signal: mutation("signal"),
      hangUp: mutation("hangUp"),
      voiceLine: { query: async () => ({ mode: "webrtc" }) },
      events: {
        subscribe: (_input: unknown, o: Observer) => {
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
  unsubscribed = 0;
  peers = [];
  answerResult = async () => ({
    sessionId: ring.sessionId,
    iceServers: [{ urls: "stun:stun.test" }],
    maxCallSeconds: 3600,
  });
  getUserMedia = vi.fn(async () => stream());
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  vi.stubGlobal("RTCPeerConnection", FakePeer);
  localStorage.clear();
});

afterEach(() => {
  phone?.dispose();
  vi.unstubAllGlobals();
});

describe("the phone panel's controller", () => {
  it("setting available calls phone.setAvailable, opens the feed and is remembered for this user", async () => {
    await available();
    expect(calls).toEqual([["setAvailable", { available: true }]]);
    expect(phone.state).toMatchObject({ available: true, feed: "open" });
    expect(localStorage.getItem("cac.phone.available.user-1")).toBe("1");
    await phone.setAvailable(false);
    expect(unsubscribed).toBe(1);
    expect(phone.state).toMatchObject({ available: false, feed: "off" });
    expect(localStorage.getItem("cac.phone.available.user-1")).toBeNull();
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
    observer?.onData({ type: "ring", call: ring });
    observer?.onData({ type: "ring", call: ring });
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
    observer?.onData({ type: "signal", sessionId: ring.sessionId, payload: { kind: "ice", candidate: ice } });
    observer?.onData({
      type: "signal",
      sessionId: ring.sessionId,
      payload: { kind: "offer", sdp: "v=0 offer" },
    });
    expect(peers).toEqual([]);
    respond({ sessionId: ring.sessionId, iceServers: [{ urls: "stun:stun.test" }], maxCallSeconds: 3600 });
    await answering;
    const peer = peers[0]!;
    expect(peer.config.iceServers).toEqual([{ urls: "stun:stun.test" }]);
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
    observer?.onData({
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
    observer?.onData({ type: "ring", call: ring });
    await phone.answer(ring.sessionId);
    phone.hangUp();
    expect(phone.state.call).toMatchObject({ phase: "ended", endedText: "You hung up." });
    expect(calls.at(-1)).toEqual(["hangUp", { sessionId: ring.sessionId }]);
    expect(peers[0]?.closed).toBe(true);
  });

  it("a call taken by a teammate stops ringing here and says so", async () => {
    await available();
    observer?.onData({ type: "ring", call: ring });
    observer?.onData({ type: "taken", sessionId: ring.sessionId, byUserId: "user-2" });
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.notice).toEqual({ tone: "info", text: "Answered by a teammate." });
    // A late ring for it (the feed reconnected) does not ring again.
    observer?.onData({ type: "ring", call: ring });
    expect(phone.state.ringing).toEqual([]);
  });

  it("answering a call someone else got first: 'Answered by a teammate', the microphone is released", async () => {
    await available();
    observer?.onData({ type: "ring", call: ring });
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
    observer?.onData({ type: "ring", call: ring });
    getUserMedia.mockRejectedValueOnce(Object.assign(new Error("denied"), { name: "NotAllowedError" }));
    await phone.answer(ring.sessionId);
    expect(calls.some(([path]) => path === "answer")).toBe(false);
    expect(phone.state.call).toBeNull();
    expect(phone.state.ringing).toEqual([ring]);
    expect(phone.state.notice?.text).toMatch(/blocked the microphone/);
  });

  it("declining calls phone.decline; a call that stops ringing unanswered is a missed call", async () => {
    await available();
    observer?.onData({ type: "ring", call: ring });
    await phone.decline(ring.sessionId);
    expect(calls.at(-1)).toEqual(["decline", { sessionId: ring.sessionId }]);
    expect(phone.state.ringing).toEqual([]);

    const other = { ...ring, sessionId: "7f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f61" };
    observer?.onData({ type: "ring", call: other });
    observer?.onData({
      type: "ended",
      sessionId: other.sessionId,
      status: "no-answer",
      reason: null,
      durationSeconds: 0,
    });
    expect(phone.state.ringing).toEqual([]);
    expect(phone.state.notice).toEqual({ tone: "warning", text: "Missed call from Main site." });
  });

  it("restores availability on load when this user left it on", async () => {
    localStorage.setItem("cac.phone.available.user-1", "1");
    phone = new PhoneController(fakeClient() as never, "user-1");
    await until(() => observer);
    expect(calls).toEqual([["setAvailable", { available: true }]]);
    // Another user in the same browser does not inherit it.
    const other = new PhoneController(fakeClient() as never, "user-2");
    expect(other.state.available).toBe(false);
    other.dispose();
  });

  it("a feed that ends for good turns calls off here and says so", async () => {
    await available();
    observer?.onData({ type: "ring", call: ring });
    observer?.onError?.(new Error("gone"));
    expect(phone.state).toMatchObject({ available: false, feed: "off", ringing: [] });
    expect(phone.state.notice?.text).toMatch(/Calls stopped ringing here/);
  });
});
