import { TRPCClientError } from "@trpc/client";
import { vi } from "vitest";

/** Stand-ins for the browser's microphone and RTCPeerConnection, and a tRPC conflict, for the phone tests. */

export class FakeTrack {
  kind = "audio";
  enabled = true;
  stop = vi.fn();
}
export const stream = () => {
  const tracks = [new FakeTrack()];
  return { getTracks: () => tracks, getAudioTracks: () => tracks };
};

export class FakePeer {
  /** Every peer made since the last reset, in order (the test's view of the page's connections). */
  static created: FakePeer[] = [];
  remoteDescription: unknown = null;
  localDescription: { sdp: string } | null = null;
  connectionState = "new";
  candidates: unknown[] = [];
  closed = false;
  onconnectionstatechange: (() => void) | null = null;
  ontrack = null;
  onicecandidate = null;
  constructor(readonly config: RTCConfiguration) {
    FakePeer.created.push(this);
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

export const conflict = (message: string) =>
  new TRPCClientError(message, {
    result: { error: { message, code: -32603, data: { code: "CONFLICT", httpStatus: 409, appCode: null } } },
  } as never);
