/**
 * The agent's side of a browser call: answers the visitor's WebRTC offer. Signals are relayed by
 * the server (`phone.signal` out, `phone.events` in). They may arrive before `phone.answer` has
 * returned the ICE servers (the visitor offers as soon as it hears "answered"), so they are held
 * until `start()`, and ICE candidates until the offer is applied.
 */

export type SignalPayload =
  | { kind: "offer" | "answer"; sdp: string }
  | { kind: "ice"; candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } };

export type PeerState = "connecting" | "connected" | "failed";

export class AgentPeer {
  private pc: RTCPeerConnection | null = null;
  private held: SignalPayload[] = [];
  private early: RTCIceCandidateInit[] = [];
  private closed = false;
  private chain: Promise<unknown> = Promise.resolve();
  readonly audio: HTMLAudioElement;

  constructor(
    private readonly stream: MediaStream,
    private readonly send: (payload: SignalPayload) => Promise<unknown>,
    private readonly onState: (state: PeerState) => void,
  ) {
    this.audio = document.createElement("audio");
    this.audio.autoplay = true;
    this.audio.hidden = true;
    this.audio.dataset.phoneAudio = "";
    document.body.append(this.audio);
  }

  /**
   * The call is ours (`phone.answer` returned the call's ICE servers and policy): connect, then
   * apply what arrived meanwhile.
   */
  start(config: Pick<RTCConfiguration, "iceServers" | "iceTransportPolicy">) {
    if (this.closed || this.pc) return;
    const pc = new RTCPeerConnection(config);
    this.pc = pc;
    for (const track of this.stream.getAudioTracks()) pc.addTrack(track, this.stream);
    pc.ontrack = (event) => {
      this.audio.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      this.audio.play().catch(() => {});
    };
    pc.onicecandidate = ({ candidate: c }) => {
      if (!c?.candidate) return;
      this.send({
        kind: "ice",
        candidate: { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex },
      }).catch(() => {});
    };
    pc.onconnectionstatechange = () => {
      if (this.closed) return;
      if (pc.connectionState === "connected") this.onState("connected");
      else if (pc.connectionState === "failed") this.onState("failed");
    };
    this.onState("connecting");
    const held = this.held;
    this.held = [];
    for (const payload of held) this.handle(payload);
  }

  /** A signal from the visitor, applied in arrival order. */
  handle(payload: SignalPayload) {
    if (this.closed) return;
    if (!this.pc) {
      this.held.push(payload);
      return;
    }
    const pc = this.pc;
    this.chain = this.chain
      .then(async () => {
        if (this.closed) return;
        if (payload.kind === "offer") {
          await pc.setRemoteDescription({ type: "offer", sdp: payload.sdp });
          await pc.setLocalDescription(await pc.createAnswer());
          await this.send({ kind: "answer", sdp: pc.localDescription?.sdp ?? "" });
          for (const candidate of this.early) await pc.addIceCandidate(candidate);
          this.early = [];
        } else if (payload.kind === "ice") {
          if (pc.remoteDescription) await pc.addIceCandidate(payload.candidate);
          else this.early.push(payload.candidate);
        }
      })
      .catch(() => {
        if (!this.closed) this.onState("failed");
      });
  }

  mute(muted: boolean) {
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.pc?.close();
    for (const track of this.stream.getTracks()) track.stop();
    this.audio.srcObject = null;
    this.audio.remove();
  }
}
