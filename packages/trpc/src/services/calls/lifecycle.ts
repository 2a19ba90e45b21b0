import { callSessions } from "@cac/db";
import { and, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { type AgentEvent, type CallEnd, channels, type VisitorEvent } from "./channels";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">;

export const openStatuses = ["initiated", "ringing", "in-progress"] as const;
export type EndStatus = "completed" | "no-answer" | "busy" | "failed" | "canceled";

export type EndOptions = {
  /**
   * Talk time reported by the phone network (Twilio's status callbacks). It is kept as the
   * duration, and a call with talk time counts as answered even if the "answered" callback has
   * not arrived yet (callbacks may come out of order).
   */
  measuredSeconds?: number;
  /** End the call only while it is in one of these statuses (default: any open status). */
  onlyFrom?: ReadonlyArray<(typeof openStatuses)[number]>;
  /** A further condition the call must still meet when it is ended (compare-and-set). */
  stillMatching?: SQL;
  /**
   * When the call ended, evaluated on the row, if not now: a call whose parties vanished ends at
   * their last heartbeat. The duration runs from the answer to it.
   */
  endedAt?: SQL;
};

/**
 * Ends a call once: only a call still open is changed, so a second hang-up, a late timer or the
 * sweeper find nothing to do (and `onCallEnded` runs once). Duration runs from answer to end
 * (now, or `endedAt`), measured by the server, unless the phone network measured it (`measuredSeconds`).
 */
export async function endCall(
  deps: Deps,
  sessionId: string,
  status: EndStatus,
  reason: string | null,
  options: EndOptions = {},
): Promise<CallEnd | null> {
  const now = deps.clock.now();
  const endedAt = options.endedAt ?? sql`${now.toISOString()}::timestamptz`;
  const measured = options.measuredSeconds !== undefined;
  const talked = measured ? Math.max(0, Math.round(options.measuredSeconds ?? 0)) : 0;
  const [row] = await deps.db
    .update(callSessions)
    .set({
      // "completed" without an answer is a cancel; talk time reported by the network is an answer.
      status:
        talked > 0
          ? status
          : sql`case when ${callSessions.answeredAt} is null and ${status} = 'completed' then 'canceled' else ${status} end`,
      failureReason: reason,
      endedAt,
      durationSeconds: measured
        ? talked
        : sql`case when ${callSessions.answeredAt} is null then 0 else greatest(0, round(extract(epoch from (${endedAt} - ${callSessions.answeredAt}))))::int end`,
      ...(talked > 0
        ? {
            answeredAt: sql`coalesce(${callSessions.answeredAt}, ${new Date(now.getTime() - talked * 1000).toISOString()}::timestamptz)`,
          }
        : {}),
    })
    .where(
      and(
        eq(callSessions.id, sessionId),
        inArray(callSessions.status, [...(options.onlyFrom ?? openStatuses)]),
        options.stillMatching,
      ),
    )
    .returning();
  if (!row) return null;
  clearCallTimer(sessionId);
  const end: CallEnd = { status: row.status, reason, durationSeconds: row.durationSeconds };
  // The end is stored; an outage of live events must not skip what follows (screens that missed
  // the notice read the call's state when they reconnect).
  await publishEnded(deps, row.accountId, row.answeredBy, sessionId, end).catch((error) =>
    deps.log.warn({ err: error, sessionId }, "the end of the call could not be published"),
  );
  // Only the update that ended the call gets here, so follow-ups (the missed-call email) run once.
  await deps.onCallEnded(row);
  return end;
}

async function publishEnded(
  deps: Deps,
  accountId: string,
  answeredBy: string | null,
  sessionId: string,
  end: CallEnd,
) {
  const toVisitor: VisitorEvent = { type: "ended", ...end };
  const toAgents: AgentEvent = { type: "ended", sessionId, ...end };
  await Promise.all([
    deps.pubsub.publish(channels.visitor(sessionId), toVisitor),
    deps.pubsub.publish(channels.accountPhone(accountId), toAgents),
    answeredBy ? deps.pubsub.publish(channels.userPhone(answeredBy), toAgents) : undefined,
  ]);
}

/** An agent takes a ringing call; the first one wins, later ones get CONFLICT. */
export async function answerCall(deps: Deps, accountId: string, userId: string, sessionId: string) {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(callSessions)
    .set({ status: "in-progress", answeredAt: now, answeredBy: userId, lastActivityAt: now })
    .where(
      and(
        eq(callSessions.id, sessionId),
        eq(callSessions.accountId, accountId),
        eq(callSessions.status, "ringing"),
        eq(callSessions.transport, "webrtc"),
        isNull(callSessions.answeredBy),
      ),
    )
    .returning();
  if (!row) {
    const [existing] = await deps.db
      .select({ status: callSessions.status })
      .from(callSessions)
      .where(and(eq(callSessions.id, sessionId), eq(callSessions.accountId, accountId)));
    if (!existing) throw new AppError("NOT_FOUND", "This call does not exist.");
    throw new AppError(
      "CONFLICT",
      existing.status === "in-progress" ? "Someone else answered this call." : "This call has already ended.",
    );
  }
  const answered: VisitorEvent = { type: "answered" };
  const taken: AgentEvent = { type: "taken", sessionId, byUserId: userId };
  await Promise.all([
    deps.pubsub.publish(channels.visitor(sessionId), answered),
    deps.pubsub.publish(channels.accountPhone(accountId), taken),
  ]);
  return row;
}

/** Marks that a party of the call is still connected. */
export async function touchCall(deps: Pick<Ports, "db" | "clock">, sessionId: string) {
  await deps.db
    .update(callSessions)
    .set({ lastActivityAt: deps.clock.now() })
    .where(and(eq(callSessions.id, sessionId), inArray(callSessions.status, [...openStatuses])));
}

// One pending timer per call on the instance that set it (ring timeout, then the time limit).
// After a restart the sweeper takes over.
const timers = new Map<string, NodeJS.Timeout>();

export function setCallTimer(sessionId: string, ms: number, run: () => Promise<unknown>, log: Ports["log"]) {
  clearCallTimer(sessionId);
  const timer = setTimeout(() => {
    timers.delete(sessionId);
    run().catch((error) =>
      log.warn({ err: error, sessionId }, "call timer failed; the sweeper will close the call"),
    );
  }, ms);
  timer.unref();
  timers.set(sessionId, timer);
}

export function clearCallTimer(sessionId: string) {
  const timer = timers.get(sessionId);
  if (timer) clearTimeout(timer);
  timers.delete(sessionId);
}
