import { callSessions } from "@cac/db";
import { and, eq, gt, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import type { CallEnd } from "./channels";
import { type EndStatus, endCall } from "./lifecycle";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">;

/**
 * The deadlines a browser call keeps in its row, and what reaching each one does. They live in
 * the database, not in the timer of the instance that set them, so any instance can act on them.
 */
export const callDeadlines = {
  ring: {
    column: callSessions.ringDeadlineAt,
    from: "ringing",
    status: "no-answer",
    reason: "No one answered in time.",
    // A missed call has no duration: it ends when it is found.
    endsAtDeadline: false,
  },
  limit: {
    column: callSessions.limitEndsAt,
    from: "in-progress",
    status: "completed",
    reason: "The call reached its time limit.",
    // The call lasted until its limit, however late it was noticed: that much, and no more, is billed.
    endsAtDeadline: true,
  },
} as const satisfies Record<
  string,
  {
    column: unknown;
    from: "ringing" | "in-progress";
    status: EndStatus;
    reason: string;
    endsAtDeadline: boolean;
  }
>;

export type DeadlineKind = keyof typeof callDeadlines;

/** The call's ring plan is on its last step (a call from before routing has one step). */
export function onLastRingStep(): SQL {
  return sql`coalesce(${callSessions.ringStep}, 0) >= coalesce(jsonb_array_length(${callSessions.ringPlan}), 1) - 1`;
}

/**
 * A browser call still in the deadline's status and past it at `now`: the one condition every
 * instance acts on. A routed call's ring deadline ends it only on its last step; before that it
 * advances the ring (ring-steps.ts).
 */
export function deadlinePassed(kind: DeadlineKind, now: Date): SQL {
  const deadline = callDeadlines[kind];
  return and(
    eq(callSessions.status, deadline.from),
    eq(callSessions.transport, "webrtc"),
    lte(deadline.column, now),
    kind === "ring" ? onLastRingStep() : undefined,
  ) as SQL;
}

/** A ringing call whose ring deadline has not passed: only then may it be answered or declined. */
export function ringingInTime(now: Date): SQL {
  return and(
    eq(callSessions.status, "ringing"),
    or(isNull(callSessions.ringDeadlineAt), gt(callSessions.ringDeadlineAt, now)),
  ) as SQL;
}

/**
 * Ends the call if its deadline has passed, by one conditional update. Null when it has not yet, or
 * when the call has left that status (answered, hung up, or ended by another instance first): then
 * nothing is changed, published or emailed.
 */
export function endAtDeadline(deps: Deps, sessionId: string, kind: DeadlineKind): Promise<CallEnd | null> {
  const deadline = callDeadlines[kind];
  return endCall(deps, sessionId, deadline.status, deadline.reason, {
    onlyFrom: [deadline.from],
    stillMatching: deadlinePassed(kind, deps.clock.now()),
    ...(deadline.endsAtDeadline ? { endedAt: sql`${deadline.column}` } : {}),
  });
}
