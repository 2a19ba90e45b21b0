import { callSessions, users } from "@cac/db";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { type EndStatus, endCall } from "./lifecycle";

/** A party whose connection has not been seen for this long is gone. */
export const CONNECTION_LOST_MS = 45_000;
/** How long a Twilio call may wait for its first webhook before it counts as failed. */
export const TWILIO_CONNECT_MS = 30_000;
/** No phone call runs longer than the largest plan allows; past this, a silent call is closed. */
export const TWILIO_MAX_SILENT_MS = 3 * 60 * 60 * 1000;

/**
 * Closes calls that can no longer be live: unanswered past the ring timeout, connections gone
 * quiet, or phone calls the network never reported. Safe to run from every instance at once:
 * each close is a conditional update.
 */
export async function sweepStaleCalls(
  deps: Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">,
  ringTimeoutSeconds: number,
) {
  const now = deps.clock.now().getTime();
  const ago = (ms: number) => new Date(now - ms);
  const stale = await deps.db
    .select({
      id: callSessions.id,
      status: callSessions.status,
      transport: callSessions.transport,
      providerCallId: callSessions.providerCallId,
    })
    .from(callSessions)
    .leftJoin(users, eq(users.id, callSessions.answeredBy))
    .where(
      or(
        and(
          eq(callSessions.status, "ringing"),
          eq(callSessions.transport, "webrtc"),
          lt(callSessions.startedAt, ago(ringTimeoutSeconds * 1000 + 5000)),
        ),
        and(eq(callSessions.status, "initiated"), lt(callSessions.startedAt, ago(TWILIO_CONNECT_MS))),
        and(
          eq(callSessions.status, "in-progress"),
          eq(callSessions.transport, "webrtc"),
          or(
            lt(callSessions.lastActivityAt, ago(CONNECTION_LOST_MS)),
            isNull(users.agentSeenAt),
            lt(users.agentSeenAt, ago(CONNECTION_LOST_MS)),
          ),
        ),
        and(
          sql`${callSessions.status} in ('ringing', 'in-progress')`,
          eq(callSessions.transport, "twilio"),
          lt(callSessions.startedAt, ago(TWILIO_MAX_SILENT_MS)),
        ),
      ),
    )
    .limit(500);
  let closed = 0;
  for (const call of stale) {
    const [status, reason]: [EndStatus, string] =
      call.status === "ringing" && call.transport === "webrtc"
        ? ["no-answer", "No one answered in time."]
        : call.status === "initiated"
          ? ["failed", "The phone network did not connect the call."]
          : ["completed", "The connection was lost."];
    if (await endCall(deps, call.id, status, reason)) closed++;
  }
  if (closed) deps.log.info({ closed }, "closed stale calls");
  return closed;
}
