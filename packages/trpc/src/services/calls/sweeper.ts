import { callSessions, users } from "@cac/db";
import { and, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { type EndStatus, endCall } from "./lifecycle";

/** A party whose connection has not been seen for this long is gone. */
export const CONNECTION_LOST_MS = 45_000;
/** How long a Twilio call may wait for its first webhook before it counts as failed. */
export const TWILIO_CONNECT_MS = 30_000;
/** No phone call runs longer than the largest plan allows; past this, a silent call is closed. */
export const TWILIO_MAX_SILENT_MS = 3 * 60 * 60 * 1000;

/** How a stale call is closed: the condition that makes it stale, and what it ends as. */
type StaleRule = { when: SQL; status: EndStatus; reason: string; endedAt?: SQL };

function staleRules(now: Date, ringTimeoutSeconds: number) {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const lostBefore = ago(CONNECTION_LOST_MS);
  // The answering agent's heartbeat (their phone panel's); the visitor's is the call's own.
  const agentSeenAt = sql`(select ${users.agentSeenAt} from ${users} where ${users.id} = ${callSessions.answeredBy})`;
  const webrtc = eq(callSessions.transport, "webrtc");
  return {
    unanswered: {
      when: and(
        eq(callSessions.status, "ringing"),
        webrtc,
        lt(callSessions.startedAt, ago(ringTimeoutSeconds * 1000 + 5000)),
      ) as SQL,
      status: "no-answer",
      reason: "No one answered in time.",
    },
    neverConnected: {
      when: and(
        eq(callSessions.status, "initiated"),
        lt(callSessions.startedAt, ago(TWILIO_CONNECT_MS)),
      ) as SQL,
      status: "failed",
      reason: "The phone network did not connect the call.",
    },
    connectionLost: {
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
      // heartbeats (never before the answer), not when the sweep noticed. Nothing after a party
      // vanished is billed.
      endedAt: sql`greatest(${callSessions.answeredAt}, least(${callSessions.lastActivityAt}, ${agentSeenAt}, ${now.toISOString()}::timestamptz))`,
    },
    phoneSilent: {
      when: and(
        inArray(callSessions.status, ["ringing", "in-progress"]),
        eq(callSessions.transport, "twilio"),
        lt(callSessions.startedAt, ago(TWILIO_MAX_SILENT_MS)),
      ) as SQL,
      status: "completed",
      reason: "The connection was lost.",
    },
  } satisfies Record<string, StaleRule>;
}

function ruleFor(
  rules: ReturnType<typeof staleRules>,
  call: { status: string; transport: string },
): StaleRule {
  if (call.transport === "twilio" && call.status !== "initiated") return rules.phoneSilent;
  if (call.status === "initiated") return rules.neverConnected;
  return call.status === "ringing" ? rules.unanswered : rules.connectionLost;
}

/**
 * Closes calls that can no longer be live: unanswered past the ring timeout, connections gone
 * quiet, or phone calls the network never reported. Safe to run from every instance at once:
 * each close is a conditional update that checks the stale condition again, and its follow-ups
 * run only when it changed the row.
 */
export async function sweepStaleCalls(
  deps: Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">,
  ringTimeoutSeconds: number,
) {
  const rules = staleRules(deps.clock.now(), ringTimeoutSeconds);
  const stale = await deps.db
    .select({ id: callSessions.id, status: callSessions.status, transport: callSessions.transport })
    .from(callSessions)
    .where(or(...Object.values(rules).map((rule) => rule.when)))
    .limit(500);
  let closed = 0;
  for (const call of stale) {
    const rule = ruleFor(rules, call);
    const ended = await endCall(deps, call.id, rule.status, rule.reason, {
      stillMatching: rule.when,
      ...(rule.endedAt ? { endedAt: rule.endedAt } : {}),
    });
    if (ended) closed++;
  }
  if (closed) deps.log.info({ closed }, "closed stale calls");
  return closed;
}
