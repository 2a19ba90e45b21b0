// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  type CallContext,
  type CallSession,
  deps,
  startCall,
  type TwilioModule,
  type TwilioOptions,
} from "../src/transport";
import type { CallProgress } from "../src/types";
import { json } from "./helpers";

/**
 * The visitor's call transport against stand-ins for the browser's media, peer connection and
 * EventSource, and for the server's tRPC answers (in their real wire format).
 */

const API = "https://api.cac.test";

type Sent = { path: string; input: Record<string, unknown>; keepalive: boolean };
let sent: Sent[];
let answers: Record<string, () => Response | Promise<Response>>;
let progress: CallProgress[];
let host: HTMLElement;

class FakeTrack {
  kind = "audio";
  enabled = true;
  stop = vi.fn();
}
class FakeStream {
  tracks = [new FakeTrack()];
  getTracks = () => this.tracks;
  getAudioTracks = () => this.tracks;
}
let streams: FakeStream[];
let getUserMedia: ReturnType<typeof vi.fn>;

class FakeEventSource {
  static all: FakeEventSource[] = [];
  readyState = 1;
  closed = false;
  onmessage: ((e: { data: string; lastEventId?: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  listeners: Record<string, ((e: { data: string }) => void)[]> = {};
  constructor(readonly url: string) {
    FakeEventSource.all.push(this);
  }
  addEventListener(type: string, fn: (e: { data: string }) => void) {
    this.listeners[type] = [...(this.listeners[type] ?? []), fn];
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  /** A data event as tRPC sends it: superjson's `{"json": value}`, with its tracked id. */
  data(value: unknown, lastEventId?: string) {
    this.onmessage?.({ data: JSON.stringify({ json: value }), lastEventId });
  }
  named(type: string, data = "") {
    for (const fn of this.listeners[type] ?? []) fn({ data });
  }
  get input() {
    return JSON.parse(new URL(this.url).searchParams.get("input") ?? "{}").json;
  }
}

class FakePeer {
  static all: FakePeer[] = [];
  localDescription: { type: string; sdp: string } | null = null;
  remoteDescription: { type: string; sdp: string } | null = null;
  connectionState = "new";
  candidates: unknown[] = [];
  tracks: unknown[] = [];
  closed = false;
  insertDTMF = vi.fn();
  ontrack: ((e: { streams: unknown[]; track: unknown }) => void) | null = null;
  onicecandidate: ((e: { candidate: unknown }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  constructor(readonly config: RTCConfiguration) {
    FakePeer.all.push(this);
  }
  addTrack(track: unknown) {
    this.tracks.push(track);
  }
  async createOffer() {
    return { type: "offer", sdp: "v=0 visitor offer" };
  }
  async setLocalDescription(d: { type: string; sdp: string }) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp: string }) {
    this.remoteDescription = d;
  }
  async addIceCandidate(c: unknown) {
    this.candidates.push(c);
  }
  getSenders() {
    return [{ track: { kind: "audio" }, dtmf: { canInsertDTMF: true, insertDTMF: this.insertDTMF } }];
  }
  close() {
    this.closed = true;
  }
}

const started = {
  transport: "webrtc",
  sessionId: "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60",
  token: "t".repeat(43),
  iceServers: [{ urls: "stun:stun.cac.test" }],
  iceTransportPolicy: "all",
  ringTimeoutSeconds: 30,
};
const ok = (value: unknown) => () => json({ result: { data: { json: value } } });
const refusal =
  (appCode: string, status = 412) =>
  () =>
    json({ error: { json: { message: `refused: ${appCode}`, code: -32600, data: { appCode } } } }, status);

const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });
const paths = () => sent.map((s) => s.path);

function place(): CallSession {
  const ctx: CallContext = { button: "b_test", apiOrigin: API, host, report: (p) => progress.push(p) };
  const session = startCall?.(ctx);
  if (!session) throw new Error("no transport");
  return session;
}

/** Places a call and brings it to "answered" with the offer sent. */
async function answeredCall() {
  const session = place();
  await until(() => FakeEventSource.all.length === 1);
  const events = FakeEventSource.all[0]!;
  events.data({ type: "ringing" });
  events.data({ type: "answered" });
  await until(() => paths().includes("calls.signal"));
  return { session, events, peer: FakePeer.all[0]! };
}

beforeEach(() => {
  sent = [];
  progress = [];
  streams = [];
  FakeEventSource.all = [];
  FakePeer.all = [];
  answers = {
    "calls.start": ok(started),
    "calls.signal": ok({ ok: true }),
    "calls.hangUp": ok({ ok: true }),
  };
  document.body.innerHTML = "";
  host = document.createElement("div");
  document.body.append(host);
  history.replaceState(null, "", "/pricing?email=val@example.com#plans");
  getUserMedia = vi.fn(async () => {
    const stream = new FakeStream();
    streams.push(stream);
    return stream;
  });
  Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
  Object.defineProperty(navigator, "onLine", { value: true, configurable: true });
  vi.stubGlobal("EventSource", FakeEventSource);
  vi.stubGlobal("RTCPeerConnection", FakePeer);
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      const path = new URL(url).pathname.replace("/trpc/", "");
      sent.push({ path, input: JSON.parse(String(init.body)).json, keepalive: Boolean(init.keepalive) });
      expect(init.credentials).toBe("omit");
      const answer = answers[path];
      if (!answer) throw new TypeError("Failed to fetch");
      return answer();
    }),
  );
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("WebRTC call (the default transport)", () => {
  it("connects with the call's TURN credential and the server's relay-only policy", async () => {
    const relay = {
      urls: ["turn:turn.cac.test:3478?transport=udp", "turns:turn.cac.test:5349?transport=tcp"],
      username: `1772367000:${started.sessionId}`,
      credential: "c2lnbmVkIGJ5IHRoZSBzZXJ2ZXI=",
    };
    const iceServers = [...started.iceServers, relay];
    answers["calls.start"] = ok({ ...started, iceServers, iceTransportPolicy: "relay" });
    const { session, peer } = await answeredCall();
    expect(peer.config).toEqual({ iceServers, iceTransportPolicy: "relay" });
    session.hangup();
  });

  it("asks for the microphone, starts, rings, offers after the answer, applies the agent's answer and ICE, plays audio", async () => {
    const { session, events, peer } = await answeredCall();
    expect(getUserMedia).toHaveBeenCalledWith({ audio: true });
    const start = sent.find((s) => s.path === "calls.start");
    // The page is named without its query or fragment.
    expect(start?.input).toEqual({ button: "b_test", pageUrl: `${location.origin}/pricing` });
    // The event stream carries the capability from calls.start, and nothing else identifies the visitor.
    expect(new URL(events.url).pathname).toBe("/trpc/calls.events");
    expect(events.input).toEqual({ button: "b_test", sessionId: started.sessionId, token: started.token });
    expect(progress).toEqual([
      { t: "permitted" },
      { t: "started", id: started.sessionId },
      { t: "ringing" },
      { t: "answered" },
    ]);

    expect(peer.config).toEqual({ iceServers: started.iceServers, iceTransportPolicy: "all" });
    expect(peer.tracks).toEqual(streams[0]?.tracks);
    expect(sent.find((s) => s.path === "calls.signal")?.input).toEqual({
      button: "b_test",
      sessionId: started.sessionId,
      token: started.token,
      payload: { kind: "offer", sdp: "v=0 visitor offer" },
    });
    // A repeated "answered" (the stream reconnected) does not start a second connection.
    events.data({ type: "answered" });
    expect(FakePeer.all).toHaveLength(1);

    // Our candidates go to the agent.
    peer.onicecandidate?.({
      candidate: { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 },
    });
    peer.onicecandidate?.({ candidate: null });
    await until(() => sent.filter((s) => s.path === "calls.signal").length === 2);
    expect(sent.at(-1)?.input.payload).toEqual({
      kind: "ice",
      candidate: { candidate: "candidate:1 1 udp 1 192.0.2.1 5000 typ host", sdpMid: "0", sdpMLineIndex: 0 },
    });

    // An agent candidate that arrives before the answer waits for it.
    const agentIce = {
      candidate: "candidate:2 1 udp 1 192.0.2.2 6000 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
    };
    events.data({ type: "signal", payload: { kind: "ice", candidate: agentIce } });
    await Promise.resolve();
    expect(peer.candidates).toEqual([]);
    events.data({ type: "signal", payload: { kind: "answer", sdp: "v=0 agent answer" } });
    await until(() => peer.candidates.length === 1);
    expect(peer.remoteDescription).toEqual({ type: "answer", sdp: "v=0 agent answer" });
    expect(peer.candidates).toEqual([agentIce]);

    // The agent's audio plays inside the widget's own element.
    const remote = new MediaStream();
    peer.ontrack?.({ streams: [remote], track: {} });
    const audio = host.querySelector("audio") as HTMLAudioElement & { srcObject: unknown };
    expect(audio.srcObject).toBe(remote);

    session.mute(true);
    expect(streams[0]?.tracks[0]?.enabled).toBe(false);
    session.mute(false);
    expect(streams[0]?.tracks[0]?.enabled).toBe(true);
    session.dtmf("7");
    expect(peer.insertDTMF).toHaveBeenCalledWith("7", 120, 70);

    // The agent hangs up: the visitor sees the end, everything is released, nothing more is sent.
    const before = sent.length;
    events.data({ type: "ended", status: "completed", reason: "The business hung up.", durationSeconds: 12 });
    expect(progress.at(-1)).toEqual({ t: "hangup" });
    expect(streams[0]?.tracks[0]?.stop).toHaveBeenCalled();
    expect(peer.closed).toBe(true);
    expect(events.closed).toBe(true);
    expect(host.querySelector("audio")).toBeNull();
    session.hangup();
    await Promise.resolve();
    expect(sent.length).toBe(before);
  });

  it("the visitor hangs up: calls.hangUp once (keepalive), and everything is released", async () => {
    const { session, events, peer } = await answeredCall();
    session.hangup();
    session.hangup();
    await until(() => paths().includes("calls.hangUp"));
    const hangUps = sent.filter((s) => s.path === "calls.hangUp");
    expect(hangUps).toHaveLength(1);
    expect(hangUps[0]).toMatchObject({
      keepalive: true,
      input: { sessionId: started.sessionId, token: started.token },
    });
    expect(peer.closed).toBe(true);
    expect(events.closed).toBe(true);
    expect(streams[0]?.tracks[0]?.stop).toHaveBeenCalled();
    // The UI moved on by itself: nothing is reported back.
    expect(progress.map((p) => p.t)).toEqual(["permitted", "started", "ringing", "answered"]);
  });

  it("cancelling while the browser asks for the microphone places no call and releases the microphone", async () => {
    let grant: (stream: FakeStream) => void = () => {};
    getUserMedia.mockImplementationOnce(() => new Promise((resolve) => (grant = resolve)));
    const session = place();
    session.hangup();
    const stream = new FakeStream();
    grant(stream);
    await until(() => stream.tracks[0]?.stop.mock.calls.length);
    expect(sent).toEqual([]);
    expect(progress).toEqual([]);
  });

  it("cancelling while calls.start runs hangs up the call it created", async () => {
    let respond: (r: Response) => void = () => {};
    answers["calls.start"] = () => new Promise((resolve) => (respond = resolve));
    const session = place();
    await until(() => paths().includes("calls.start"));
    session.hangup();
    respond(json({ result: { data: { json: started } } }));
    await until(() => paths().includes("calls.hangUp"));
    // A call the visitor cancelled is not reported as started (no conversion event).
    expect(progress.map((p) => p.t)).toEqual(["permitted"]);
    expect(FakeEventSource.all).toEqual([]);
    expect(streams[0]?.tracks[0]?.stop).toHaveBeenCalled();
  });

  it("leaving the page hangs up", async () => {
    await answeredCall();
    window.dispatchEvent(new Event("pagehide"));
    await until(() => paths().includes("calls.hangUp"));
  });

  it.each([
    ["no-answer", "no-answer"],
    ["busy", "busy"],
    ["failed", "generic"],
  ])("an end with status %s shows %s", async (status, cause) => {
    place();
    await until(() => FakeEventSource.all.length === 1);
    FakeEventSource.all[0]?.data({ type: "ringing" });
    FakeEventSource.all[0]?.data({ type: "ended", status, reason: null, durationSeconds: 0 });
    expect(progress.at(-1)).toEqual({ t: "fail", cause });
    expect(streams[0]?.tracks[0]?.stop).toHaveBeenCalled();
    expect(FakeEventSource.all[0]?.closed).toBe(true);
    expect(paths()).not.toContain("calls.hangUp");
  });

  it("a refused event stream fails the call and hangs it up", async () => {
    place();
    await until(() => FakeEventSource.all.length === 1);
    FakeEventSource.all[0]?.named(
      "serialized-error",
      JSON.stringify({ json: { message: "This call does not exist." } }),
    );
    expect(progress.at(-1)).toEqual({ t: "fail", cause: "generic" });
    await until(() => paths().includes("calls.hangUp"));
  });

  it("a dropped or refused event stream keeps the call up: it reconnects and resumes from the last event", async () => {
    const { events, peer } = await answeredCall();
    events.data({ type: "answered" }, "1700-1");
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    // The instance holding the stream stops; the load balancer answers 502 while it goes.
    events.readyState = 2;
    events.onerror?.();
    vi.advanceTimersByTime(10_000);
    expect(progress.at(-1)).toEqual({ t: "answered" });
    expect(peer.closed).toBe(false);
    expect(paths()).not.toContain("calls.hangUp");
    const resumed = FakeEventSource.all.at(-1)!;
    expect(resumed).not.toBe(events);
    expect(resumed.input).toEqual({
      button: "b_test",
      sessionId: started.sessionId,
      token: started.token,
      lastEventId: "1700-1",
    });
    // What the agent sent meanwhile arrives on the new stream and is applied.
    resumed.named("connected", "{}");
    resumed.data({ type: "signal", payload: { kind: "answer", sdp: "v=0 agent answer" } }, "1700-2");
    vi.useRealTimers();
    await until(() => peer.remoteDescription);
    expect(peer.remoteDescription).toEqual({ type: "answer", sdp: "v=0 agent answer" });
  });

  it("a peer connection that fails ends the call", async () => {
    const { peer } = await answeredCall();
    peer.connectionState = "failed";
    peer.onconnectionstatechange?.();
    expect(progress.at(-1)).toEqual({ t: "fail", cause: "generic" });
    await until(() => paths().includes("calls.hangUp"));
    expect(peer.closed).toBe(true);
  });
});

describe("failures before the call", () => {
  it.each([
    ["NotAllowedError", "mic-denied"],
    ["SecurityError", "mic-denied"],
    ["NotFoundError", "no-mic"],
    ["AbortError", "generic"],
  ])("getUserMedia %s → %s, and calls.start is never called", async (name, cause) => {
    getUserMedia.mockRejectedValueOnce(Object.assign(new Error("no"), { name }));
    place();
    await until(() => progress.length);
    expect(progress).toEqual([{ t: "fail", cause }]);
    expect(sent).toEqual([]);
  });

  it.each([
    ["BUTTON_CLOSED", "closed"],
    ["IP_BLOCKED", "blocked"],
    ["RATE_LIMITED", "rate-limited"],
    ["OVER_QUOTA", "over-quota"],
    ["CAPTCHA_FAILED", "captcha"],
    ["NO_AGENT_AVAILABLE", "no-agent"],
    ["UNAVAILABLE", "unavailable"],
    ["LIVE_UNAVAILABLE", "outage"],
    ["ORIGIN_NOT_ALLOWED", "unavailable"],
    ["NOT_FOUND", "unavailable"],
    ["SOMETHING_NEW", "generic"],
  ])("calls.start refused with %s → %s, the microphone is released", async (appCode, cause) => {
    answers["calls.start"] = refusal(appCode);
    place();
    await until(() => progress.length === 2);
    expect(progress).toEqual([{ t: "permitted" }, { t: "fail", cause }]);
    expect(streams[0]?.tracks[0]?.stop).toHaveBeenCalled();
    expect(paths()).toEqual(["calls.start"]);
  });

  it("a network error while offline → offline; online → generic", async () => {
    delete answers["calls.start"];
    Object.defineProperty(navigator, "onLine", { value: false, configurable: true });
    place();
    await until(() => progress.length === 2);
    expect(progress[1]).toEqual({ t: "fail", cause: "offline" });
    progress = [];
    Object.defineProperty(navigator, "onLine", { value: true, configurable: true });
    place();
    await until(() => progress.length === 2);
    expect(progress[1]).toEqual({ t: "fail", cause: "generic" });
  });
});

describe("Twilio call (the button rings a phone number)", () => {
  const twilioStarted = {
    transport: "twilio",
    sessionId: started.sessionId,
    token: started.token,
    accessToken: "eyJ.access.token",
    maxCallSeconds: 3600,
  };
  let options: TwilioOptions | undefined;
  let twilioSession: CallSession;

  beforeEach(() => {
    options = undefined;
    answers["calls.start"] = ok(twilioStarted);
    answers["calls.reportFailure"] = ok({ ok: true });
    twilioSession = { hangup: vi.fn(), mute: vi.fn(), dtmf: vi.fn() };
    const module: TwilioModule = {
      twilioCall: (o) => {
        options = o;
        return twilioSession;
      },
    };
    vi.spyOn(deps, "loadTwilio").mockResolvedValue(module);
  });

  it("loads the SDK chunk only for a Twilio call and connects with the access token and session", async () => {
    const session = place();
    await until(() => options);
    expect(deps.loadTwilio).toHaveBeenCalledTimes(1);
    expect(options).toMatchObject({ accessToken: "eyJ.access.token", sessionId: started.sessionId });
    // The SDK opens the microphone itself: ours is released.
    expect(streams[0]?.tracks[0]?.stop).toHaveBeenCalled();
    expect(FakeEventSource.all).toEqual([]);
    options?.ringing();
    options?.answered();
    expect(progress).toEqual([
      { t: "permitted" },
      { t: "started", id: started.sessionId },
      { t: "ringing" },
      { t: "answered" },
    ]);
    session.mute(true);
    session.dtmf("3");
    expect(twilioSession.mute).toHaveBeenCalledWith(true);
    expect(twilioSession.dtmf).toHaveBeenCalledWith("3");
    // Twilio's status callbacks keep the log: hanging up goes through the SDK only.
    session.hangup();
    expect(twilioSession.hangup).toHaveBeenCalled();
    await Promise.resolve();
    expect(paths()).toEqual(["calls.start"]);
  });

  it("the other side hangs up: the call ends", async () => {
    place();
    await until(() => options);
    options?.answered();
    options?.ended();
    expect(progress.at(-1)).toEqual({ t: "hangup" });
  });

  it("nobody answers, not the members nor the number: the visitor is offered the callback form", async () => {
    place();
    await until(() => options);
    options?.ringing();
    // The last Dial (the number) rang out: Twilio ends the visitor's leg unanswered.
    options?.ended();
    expect(progress).toEqual([
      { t: "permitted" },
      { t: "started", id: started.sessionId },
      { t: "ringing" },
      { t: "fail", cause: "no-answer" },
    ]);
    // Twilio's callbacks keep the log (no-answer): the widget does not hang up on top of them.
    await Promise.resolve();
    expect(paths()).toEqual(["calls.start"]);
  });

  it("Twilio unreachable: fails within 10 s and reports the failure to the server", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    place();
    await vi.waitFor(() => expect(options).toBeTruthy());
    await vi.advanceTimersByTimeAsync(9_900);
    expect(progress.map((p) => p.t)).toEqual(["permitted", "started"]);
    await vi.advanceTimersByTimeAsync(200);
    expect(progress.at(-1)).toEqual({ t: "fail", cause: "generic" });
    expect(twilioSession.hangup).toHaveBeenCalled();
    vi.useRealTimers();
    await until(() => paths().includes("calls.reportFailure"));
    expect(sent.find((s) => s.path === "calls.reportFailure")?.input).toMatchObject({
      sessionId: started.sessionId,
      token: started.token,
      reason: "Twilio could not be reached within 10 seconds.",
    });
  });

  it("an SDK error fails the call at once and reports it", async () => {
    place();
    await until(() => options);
    options?.failed("Twilio Voice: ConnectionError (53000)");
    expect(progress.at(-1)).toEqual({ t: "fail", cause: "generic" });
    await until(() => paths().includes("calls.reportFailure"));
    expect(sent.at(-1)?.input.reason).toBe("Twilio Voice: ConnectionError (53000)");
  });

  it("the SDK chunk cannot be loaded: fails and reports it", async () => {
    vi.mocked(deps.loadTwilio).mockRejectedValueOnce(
      new TypeError("Failed to fetch dynamically imported module"),
    );
    place();
    await until(() => progress.length === 3);
    expect(progress[2]).toEqual({ t: "fail", cause: "generic" });
    await until(() => paths().includes("calls.reportFailure"));
  });
});
