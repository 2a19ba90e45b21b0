import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import type { Ports } from "../../ports";
import { callDeadlines, type DeadlineKind, endAtDeadline } from "./deadlines";
import { setCallTimer } from "./lifecycle";
import { reachRingDeadline } from "./ring-steps";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded" | "presence">;

/**
 * This instance's timer for a call's deadline: the fast path, with the sweeper as the safety net
 * when this instance stops. It acts only through `reachRingDeadline` (ring) or `endAtDeadline`
 * (limit), so it never acts early or on a call that changed state meanwhile. A ring step that
 * advanced arms the next step's deadline. If the call still waits on the deadline when it fires
 * (this clock runs behind the one that set it), it waits again.
 */
export function armDeadline(deps: Deps, sessionId: string, kind: DeadlineKind, at: Date) {
  const run = async () => {
    if (kind === "ring") {
      const reached = await reachRingDeadline(deps, sessionId);
      if (reached?.kind === "advanced") return armDeadline(deps, sessionId, kind, reached.deadline);
      if (reached) return;
    } else if (await endAtDeadline(deps, sessionId, kind)) return;
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
