/** Pubsub channel names for call signaling. */
export const channels = {
  /** Taken and ended notices for every agent of an account. */
  accountPhone: (accountId: string) => `phone:account:${accountId}`,
  /** Rings for one member (when a call's routing rings them), and the signals of calls they answered. */
  userPhone: (userId: string) => `phone:user:${userId}`,
  /** Everything the visitor of one call hears about it. */
  visitor: (sessionId: string) => `call:${sessionId}:visitor`,
};

export type SignalPayload =
  | { kind: "offer" | "answer"; sdp: string }
  | { kind: "ice"; candidate: { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null } };

export type CallEnd = { status: string; reason: string | null; durationSeconds: number };

export type VisitorEvent =
  | { type: "ringing" }
  | { type: "answered" }
  | { type: "signal"; payload: SignalPayload }
  | ({ type: "ended" } & CallEnd);

/**
 * Who is calling, as the ring panel says it ("from Google Ads, campaign spring-sale, on mobile,
 * 9:14 AM their time"); null when the widget sent nothing (the button does not collect it).
 */
export type RingVisitor = {
  source: string | null;
  campaign: string | null;
  device: string | null;
  /** The visitor's wall-clock time with its offset, "2026-12-02T09:14:00-05:00". */
  localTime: string | null;
};

export type AgentCall = {
  sessionId: string;
  buttonId: string | null;
  buttonName: string;
  pageUrl: string | null;
  startedAt: string;
  visitor: RingVisitor | null;
};

/** The ring panel's view of a call's stored visitor context. */
export function ringVisitor(row: {
  source: string | null;
  utmCampaign: string | null;
  device: string | null;
  visitorLocalTime: string | null;
}): RingVisitor | null {
  if (row.source === null) return null;
  return {
    source: row.source,
    campaign: row.utmCampaign,
    device: row.device,
    localTime: row.visitorLocalTime,
  };
}

export type AgentEvent =
  | { type: "ring"; call: AgentCall }
  /** Someone answered: every panel that rang it shows who ("Answered by Dana"). */
  | { type: "taken"; sessionId: string; byUserId: string; byName: string | null }
  /** The member's ring step ran out and the call rings the next member: it stops ringing here. */
  | { type: "rang-out"; sessionId: string }
  | { type: "signal"; sessionId: string; payload: SignalPayload }
  | ({ type: "ended"; sessionId: string } & CallEnd);
