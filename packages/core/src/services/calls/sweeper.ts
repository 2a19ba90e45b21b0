import { callSessions, users } from "@cac/db";
import { and, eq, inArray, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { callDeadlines, deadlinePassed } from "./deadlines";
import { type EndStatus, endCall } from "./lifecycle";

/** A party whose connection has not been seen for this long is gone. */
export const CONNECTION_LOST_MS = 45_000;
/** How long a Twilio call may wait for its first webhook before it counts as failed. */
export const TWILIO_CONNECT_MS = 30_000;
/** No phone call runs longer than the largest plan allows; past this, a silent call is closed. */
export const TWILIO_MAX_SILENT_MS = 3 * 60 * 60 * 1000;

/**
 * A phone call ends at its time limit on the network's side, which reports it within seconds; past
 * the limit by this much, it never will.
 */
export const TWILIO_LIMIT_GRACE_MS = 5 * 60 * 1000;

/** How a stale call is closed: the condition that makes it stale, and what it ends as. */
type StaleRule = { when: SQL; status: EndStatus; reason: string; endedAt?: SQL };

/** In order: a call matching two rules is closed by the first (connection lost before its limit). */
function staleRules(now: Date, ringTimeoutSeconds: number): StaleRule[] {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const at = sql`${now.toISOString()}::timestamptz`;
  const lostBefore = ago(CONNECTION_LOST_MS);
  // The answering agent's heartbeat (their phone panel's); the visitor's is the call's own.
  const agentSeenAt = sql`(select ${users.agentSeenAt} from ${users} where ${users.id} = ${callSessions.answeredBy})`;
  const webrtc = eq(callSessions.transport, "webrtc");
  const connectionLost: StaleRule = {
    when: and(
      eq(callSessions.status, "in-progress"),
      webrtc,
      or(
        lt(callSessions.lastActivityAt, lostBefore),
        sql`coalesce(${agentSeenAt} < ${lostBefore.toISOString()}::timestamptz, true)`,
      ),
    ) as SQL,
    status: "completed",
    reason: "The connection was lost.",
    // The call lasted while both parties were heard from: it ends at the earlier of their last
    // heartbeats (never before the answer, never past its time limit), not when the sweep noticed.
    // Nothing after a party vanished is billed.
    endedAt: sql`greatest(${callSessions.answeredAt}, least(${callSessions.lastActivityAt}, ${agentSeenAt}, ${callSessions.limitEndsAt}, ${at}))`,
  };
  const { ring, limit } = callDeadlines;
  const timeLimit: StaleRule = {
    when: deadlinePassed("limit", now),
    status: limit.status,
    reason: limit.reason,
    endedAt: sql`${limit.column}`,
  };
  const unanswered: StaleRule = {
    when: or(
      deadlinePassed("ring", now),
      // A call started before ring deadlines were stored rings out as it always did.
      and(
        eq(callSessions.status, "ringing"),
        webrtc,
        isNull(ring.column),
        lt(callSessions.startedAt, ago(ringTimeoutSeconds * 1000)),
      ),
    ) as SQL,
    status: ring.status,
    reason: ring.reason,
  };
  const neverConnected: StaleRule = {
    when: and(
      eq(callSessions.status, "initiated"),
      lt(callSessions.startedAt, ago(TWILIO_CONNECT_MS)),
    ) as SQL,
    status: "failed",
    reason: "The phone network did not connect the call.",
  };
  // A phone call the network never reported ending: past its time limit (the latest it can run,
  // stored at its dial), or, without one, past the largest plan's.
  const phoneSilent: StaleRule = {
    when: and(
      inArray(callSessions.status, ["ringing", "in-progress"]),
      eq(callSessions.transport, "twilio"),
      or(
        lt(callSessions.limitEndsAt, ago(TWILIO_LIMIT_GRACE_MS)),
        and(isNull(callSessions.limitEndsAt), lt(callSessions.startedAt, ago(TWILIO_MAX_SILENT_MS))),
      ),
    ) as SQL,
    status: "completed",
    reason: "The connection was lost.",
  };
  return [connectionLost, timeLimit, unanswered, neverConnected, phoneSilent];
}

/**
 * Closes calls that can no longer be live: rung out past their ring deadline, past their time
 * limit, connections gone quiet, or phone calls the network never reported. Safe to run from every
 * instance at once: each close is a conditional update that checks the stale condition again, and
 * its follow-ups run only when it changed the row.
 */
export async function sweepStaleCalls(
  deps: Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">,
  ringTimeoutSeconds: number,
) {
  const rules = staleRules(deps.clock.now(), ringTimeoutSeconds);
  const firstRule = sql<number>`case ${sql.join(
    rules.map((rule, i) => sql`when ${rule.when} then ${sql.raw(String(i))}`),
    sql` `,
  )} end`;
  const stale = await deps.db
    .select({ id: callSessions.id, rule: firstRule })
    .from(callSessions)
    .where(or(...rules.map((rule) => rule.when)))
    .limit(500);
  let closed = 0;
  for (const call of stale) {
    const rule = rules[Number(call.rule)];
    if (!rule) continue;
    const ended = await endCall(deps, call.id, rule.status, rule.reason, {
      stillMatching: rule.when,
      ...(rule.endedAt ? { endedAt: rule.endedAt } : {}),
    });
    if (ended) closed++;
  }
  if (closed) deps.log.info({ closed }, "closed stale calls");
  return closed;
}
