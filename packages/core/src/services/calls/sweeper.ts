import { callSessions } from "@cac/db";
import { and, eq, inArray, isNotNull, isNull, lt, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { armDeadline } from "./deadline-timers";
import { callDeadlines, deadlinePassed } from "./deadlines";
import { type EndStatus, endCall } from "./lifecycle";
import { agentsLastSeen } from "./presence";
import { reachRingDeadline, ringStepDue } from "./ring-steps";

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

/** Answering agents' last heartbeats, by user id (null: never heard from). */
type Heard = Map<string, Date | null>;

/**
 * The agents answering browser calls now, with their last heartbeats (the presence store's, or
 * the database's copy): the connection rule reads them as data, since heartbeats are not rows.
 */
async function answeringAgentsHeard(deps: Pick<Ports, "db" | "presence">, only?: string): Promise<Heard> {
  const ids = only
    ? [only]
    : (
        await deps.db
          .selectDistinct({ id: callSessions.answeredBy })
          .from(callSessions)
          .where(
            and(
              eq(callSessions.status, "in-progress"),
              eq(callSessions.transport, "webrtc"),
              isNotNull(callSessions.answeredBy),
            ),
          )
      ).flatMap((row) => (row.id ? [row.id] : []));
  const seen = await agentsLastSeen(deps, ids);
  return new Map(ids.map((id) => [id, seen.get(id) ?? null]));
}

/** In order: a call matching two rules is closed by the first (connection lost before its limit). */
function staleRules(now: Date, ringTimeoutSeconds: number, heard: Heard): StaleRule[] {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const at = sql`${now.toISOString()}::timestamptz`;
  const lostBefore = ago(CONNECTION_LOST_MS);
  // The answering agent's heartbeat (their phone panel's), passed in; the visitor's is the call's own.
  const heardJson = JSON.stringify(
    Object.fromEntries([...heard].map(([id, seen]) => [id, seen?.toISOString() ?? null])),
  );
  const heardOf = sql`(${heardJson}::jsonb -> ${callSessions.answeredBy}::text)`;
  const agentSeenAt = sql`(${heardJson}::jsonb ->> ${callSessions.answeredBy}::text)::timestamptz`;
  const webrtc = eq(callSessions.transport, "webrtc");
  const connectionLost: StaleRule = {
    when: and(
      eq(callSessions.status, "in-progress"),
      webrtc,
      // Only calls whose agent was looked up (one answered since waits for the next sweep); a call
      // whose agent is gone (deleted) has nobody to hear from.
      or(isNull(callSessions.answeredBy), sql`${heardOf} is not null`),
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
  deps: Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded" | "presence">,
  ringTimeoutSeconds: number,
) {
  const now = deps.clock.now();
  await advanceDueRingSteps(deps, now);
  const rules = staleRules(now, ringTimeoutSeconds, await answeringAgentsHeard(deps));
  const firstRule = sql<number>`case ${sql.join(
    rules.map((rule, i) => sql`when ${rule.when} then ${sql.raw(String(i))}`),
    sql` `,
  )} end`;
  const stale = await deps.db
    .select({ id: callSessions.id, rule: firstRule, answeredBy: callSessions.answeredBy })
    .from(callSessions)
    .where(or(...rules.map((rule) => rule.when)))
    .limit(500);
  let closed = 0;
  for (const call of stale) {
    let rule = rules[Number(call.rule)];
    // A lost connection is decided on the agent's latest heartbeat, which may have come in since.
    if (Number(call.rule) === 0 && call.answeredBy) {
      rule = staleRules(now, ringTimeoutSeconds, await answeringAgentsHeard(deps, call.answeredBy))[0];
    }
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

/**
 * Routed calls whose ring step ran out with members left in order (the instance that timed the
 * step stopped, or its timer is late): each advances once, however many instances sweep at once
 * (reachRingDeadline's conditional update), and this instance times the next step.
 */
async function advanceDueRingSteps(
  deps: Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded" | "presence">,
  now: Date,
) {
  const due = await deps.db
    .select({ id: callSessions.id })
    .from(callSessions)
    .where(ringStepDue(now))
    .limit(500);
  let advanced = 0;
  for (const call of due) {
    const reached = await reachRingDeadline(deps, call.id);
    if (reached?.kind !== "advanced") continue;
    advanced++;
    armDeadline(deps, call.id, "ring", reached.deadline);
  }
  if (advanced) deps.log.info({ advanced }, "advanced ring steps");
}
