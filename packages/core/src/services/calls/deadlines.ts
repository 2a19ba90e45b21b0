import { callSessions } from "@cac/db";
import { and, eq, gt, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import type { CallEnd } from "./channels";
import { type EndStatus, endCall, setCallTimer } from "./lifecycle";

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

/** A browser call still in the deadline's status and past it at `now`: the one condition every instance acts on. */
export function deadlinePassed(kind: DeadlineKind, now: Date): SQL {
  const deadline = callDeadlines[kind];
  return and(
    eq(callSessions.status, deadline.from),
    eq(callSessions.transport, "webrtc"),
    lte(deadline.column, now),
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

/**
 * This instance's timer for a call's deadline: the fast path, with the sweeper as the safety net
 * when this instance stops. It acts only through `endAtDeadline`, so it never ends a call early or
 * one that changed state meanwhile. If the call still waits on the deadline when it fires (this
 * clock runs behind the one that set it), it waits again.
 */
export function armDeadline(deps: Deps, sessionId: string, kind: DeadlineKind, at: Date) {
  const run = async () => {
    if (await endAtDeadline(deps, sessionId, kind)) return;
    const deadline = callDeadlines[kind];
    const [call] = await deps.db
      .select({ status: callSessions.status, at: deadline.column })
      .from(callSessions)
      .where(eq(callSessions.id, sessionId));
    if (call?.status === deadline.from && call.at && call.at > deps.clock.now())
      armDeadline(deps, sessionId, kind, call.at);
  };
  setCallTimer(sessionId, Math.max(0, at.getTime() - deps.clock.now().getTime()), run, deps.log);
}
