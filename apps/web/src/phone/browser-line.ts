/**
 * The browser line: calls to portal-only buttons. They ring through the live feed, and answering
 * one takes the microphone, claims the call (`phone.answer`) and connects a WebRTC peer to the
 * visitor, with signals relayed by the server. Progress is reported through `LineEvents`.
 */
import type { AppRouter } from "@cac/trpc";
import type { TRPCClient } from "@trpc/client";
import { describeError } from "../lib/errors";
import { AgentPeer, type SignalPayload } from "./agent-peer";
import type { AnswerRefusal, CallLine, LineEvents } from "./call-line";
import type { RingingCall } from "./types";

export class BrowserLine implements CallLine {
  private peer: AgentPeer | null = null;
  /** The call whose microphone prompt is open; cleared when that call ends meanwhile. */
  private answering: string | null = null;

  constructor(
    private readonly client: TRPCClient<AppRouter>,
    private readonly events: LineEvents,
  ) {}

  async answer({ sessionId }: RingingCall): Promise<AnswerRefusal | null> {
    this.answering = sessionId;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      const name = (error as { name?: string } | null)?.name;
      return { kind: "microphone", missing: name === "NotFoundError" };
    }
    if (this.answering !== sessionId) {
      // The caller hung up meanwhile.
      for (const track of stream.getTracks()) track.stop();
      return null;
    }
    this.answering = null;
    const peer = new AgentPeer(
      stream,
      (payload) => this.client.phone.signal.mutate({ sessionId, payload }),
      (state) => {
        if (this.peer !== peer) return;
        if (state === "connected") this.events.connected(sessionId);
        else if (state === "failed") {
          this.events.failed("The connection to the caller failed.", sessionId);
          this.hangUp(sessionId);
        }
      },
    );
    this.peer = peer;
    try {
      const answered = await this.client.phone.answer.mutate({ sessionId });
      if (this.peer !== peer) return null;
      this.events.connecting(sessionId, Date.now());
      peer.start({ iceServers: answered.iceServers, iceTransportPolicy: answered.iceTransportPolicy });
      return null;
    } catch (error) {
      if (this.peer === peer) {
        this.peer = null;
        peer.close();
      }
      const info = describeError(error);
      // CONFLICT is "Someone else answered this call." or "This call has already ended."
      if (info.httpStatus === 409 && /someone else/i.test(info.message)) return { kind: "taken" };
      return { kind: "failed", message: info.message };
    }
  }

  /** A signal from the visitor for the call in progress. */
  signal(payload: SignalPayload) {
    this.peer?.handle(payload);
  }

  async decline(sessionId: string) {
    await this.client.phone.decline.mutate({ sessionId });
  }

  mute(_sessionId: string, muted: boolean) {
    this.peer?.mute(muted);
  }

  hangUp(sessionId: string) {
    this.client.phone.hangUp.mutate({ sessionId }).catch(() => {});
  }

  /** Leaving the page in a call hangs up (the request outlives the page). */
  leave(sessionId: string) {
    fetch("/trpc/phone.hangUp", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ json: { sessionId } }),
      keepalive: true,
    }).catch(() => {});
  }

  release() {
    this.answering = null;
    this.peer?.close();
    this.peer = null;
  }
}
