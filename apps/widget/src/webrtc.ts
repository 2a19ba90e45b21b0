/**
 * The visitor's side of a browser-to-browser call (transport "webrtc"): listens to `calls.events`,
 * and once an agent has answered, offers the microphone to the agent's browser over an
 * RTCPeerConnection, with the signaling relayed by the server (`calls.signal`). The agent's audio
 * plays in an <audio> element in the widget's shadow root. No audio passes through the server.
 */
import { type CallCapability, type EventOf, type Input, listen } from "./transport-api";
import type { CallFailCause, CallProgress } from "./types";

type SignalPayload = Input<"calls.signal">["payload"];
type VisitorEvent = EventOf<"calls.events">;

export type WebrtcOptions = {
  apiOrigin: string;
  /** The capability from `calls.start`: `{ button, sessionId, token }`. */
  call: CallCapability;
  iceServers: RTCIceServer[];
  /** "relay" when the server says to use TURN relays only. */
  iceTransportPolicy: RTCIceTransportPolicy;
  ringTimeoutSeconds: number;
  /** The microphone, already granted. */
  stream: MediaStream;
  /** Where the remote <audio> element goes (inside the shadow root). */
  host: HTMLElement;
  report(progress: CallProgress): void;
  /** Sends one signal to the agent (`calls.signal`). */
  signal(payload: SignalPayload): Promise<unknown>;
  /** The call is over on this side (ended or failed): release everything, tell the server if needed. */
  done(notifyServer: boolean): void;
};

/** How the end of a call, as the server reports it, is shown to the visitor. */
export function endProgress(status: (VisitorEvent & { type: "ended" })["status"]): CallProgress {
  const causes: Record<string, CallFailCause> = { "no-answer": "no-answer", busy: "busy", failed: "generic" };
  const cause = causes[status];
  return cause ? { t: "fail", cause } : { t: "hangup" };
}

export function webrtcCall(o: WebrtcOptions) {
  let pc: RTCPeerConnection | undefined;
  let over = false;
  /** ICE candidates that arrived before the agent's answer. */
  let early: RTCIceCandidateInit[] = [];
  const audio = document.createElement("audio");
  audio.autoplay = true;
  o.host.append(audio);

  // The server ends an unanswered call at the ring timeout; if its notice never arrives, give up
  // a little later on this side too.
  let guard: ReturnType<typeof setTimeout> | undefined = setTimeout(
    () => finish({ t: "fail", cause: "no-answer" }, true),
    (o.ringTimeoutSeconds + 15) * 1000,
  );

  const stop = listen(
    o.apiOrigin,
    "calls.events",
    o.call,
    (event) => {
      if (over) return;
      if (event.type === "ringing") o.report({ t: "ringing" });
      else if (event.type === "answered") answered();
      else if (event.type === "signal")
        remote(event.payload).catch(() => finish({ t: "fail", cause: "generic" }, true));
      else if (event.type === "ended") finish(endProgress(event.status), false);
    },
    () => finish({ t: "fail", cause: "generic" }, true),
  );

  /** An agent answered: offer our microphone. A repeated notice (after a reconnect) changes nothing. */
  function answered() {
    if (pc) return;
    clearTimeout(guard);
    guard = undefined;
    o.report({ t: "answered" });
    const peer = new RTCPeerConnection({
      iceServers: o.iceServers,
      iceTransportPolicy: o.iceTransportPolicy,
    });
    pc = peer;
    for (const track of o.stream.getAudioTracks()) peer.addTrack(track, o.stream);
    peer.ontrack = (event) => {
      audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      audio.play().catch(() => {});
    };
    peer.onicecandidate = ({ candidate: c }) => {
      if (c?.candidate) {
        o.signal({
          kind: "ice",
          candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex },
        }).catch(() => {});
      }
    };
    peer.onconnectionstatechange = () => {
      if (peer.connectionState === "failed") finish({ t: "fail", cause: "generic" }, true);
    };
    peer
      .createOffer()
      .then((offer) => peer.setLocalDescription(offer))
      .then(() => o.signal({ kind: "offer", sdp: peer.localDescription?.sdp ?? "" }))
      .catch(() => finish({ t: "fail", cause: "generic" }, true));
  }

  async function remote(payload: SignalPayload) {
    if (!pc) return;
    if (payload.kind === "ice") {
      if (pc.remoteDescription) await pc.addIceCandidate(payload.candidate);
      else early.push(payload.candidate);
    } else if (payload.kind === "answer") {
      await pc.setRemoteDescription({ type: "answer", sdp: payload.sdp });
      for (const candidate of early) await pc.addIceCandidate(candidate);
      early = [];
    }
  }

  /** Ends this side once: reports to the UI (unless the visitor hung up) and releases everything. */
  function finish(progress: CallProgress | null, notifyServer: boolean) {
    if (over) return;
    over = true;
    clearTimeout(guard);
    stop();
    pc?.close();
    audio.srcObject = null;
    audio.remove();
    o.done(notifyServer);
    if (progress) o.report(progress);
  }

  return {
    /** The visitor hung up (the UI has moved on already). */
    hangup: () => finish(null, true),
    mute(muted: boolean) {
      for (const track of o.stream.getAudioTracks()) track.enabled = !muted;
    },
    dtmf(digit: string) {
      const sender = pc?.getSenders().find((s) => s.track?.kind === "audio");
      if (sender?.dtmf?.canInsertDTMF) sender.dtmf.insertDTMF(digit, 120, 70);
    },
  };
}
