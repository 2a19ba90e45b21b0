import { callSessions, usageTotals } from "@cac/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { billedMinutesOf } from "../usage";
import { type AgentEvent, type CallEnd, channels, type VisitorEvent } from "./channels";
import { closeRingSteps } from "./ring-step-rows";

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
 * Ends a call once, on whichever instance: one conditional update of a call still open (and in
 * `onlyFrom`, and `stillMatching`), so a second hang-up, a late timer, another instance or the
 * sweeper find nothing to do. The end event and `onCallEnded` (the missed-call email) follow only
 * the update that changed the row, so they happen once; the minutes it billed reach the usage
 * total in that update's own statement, so they are counted once. Duration runs from answer to end (now, or
 * `endedAt`, never past the time limit), measured by the server, unless the phone network measured
 * it (`measuredSeconds`).
 */
export async function endCall(
  deps: Deps,
  sessionId: string,
  status: EndStatus,
  reason: string | null,
  options: EndOptions = {},
): Promise<CallEnd | null> {
  const now = deps.clock.now();
  // Never past the call's time limit (least() skips a null): a hang-up that beats the limit's timer
  // by a moment bills no more.
  const endedAt =
    options.endedAt ?? sql`least(${now.toISOString()}::timestamptz, ${callSessions.limitEndsAt})`;
  const measured = options.measuredSeconds !== undefined;
  const talked = measured ? Math.max(0, Math.round(options.measuredSeconds ?? 0)) : 0;
  const ended = deps.db.$with("ended").as(
    deps.db
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
      .returning(),
  );
  // In the same statement, and only if it ended the call: its billed minutes are added to its
  // period's total and its reservation given back. Two instances ending the call at once are
  // ordered by the row's lock; the second finds it ended and changes nothing, here too.
  const settled = deps.db.$with("settled").as(
    deps.db
      .update(usageTotals)
      .set({
        usedMinutes: sql`${usageTotals.usedMinutes} + ${billedMinutesOf(ended.durationSeconds)}`,
        reservedMinutes: sql`${usageTotals.reservedMinutes} - coalesce(${ended.reservedMinutes}, 0)`,
      })
      .from(ended)
      .where(
        and(eq(usageTotals.accountId, ended.accountId), eq(usageTotals.periodStart, ended.usagePeriodStart)),
      )
      .returning({ accountId: usageTotals.accountId }),
  );
  const [row] = await deps.db.with(ended, settled).select().from(ended);
  if (!row) return null;
  clearCallTimer(sessionId);
  // The members still ringing stop: their steps end with the call (recorded once, with its end).
  await closeRingSteps(deps, sessionId, ringOutcomeOf(status), now);
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

/** How a call's end ends the ring of the members it was ringing. */
function ringOutcomeOf(status: EndStatus) {
  if (status === "no-answer") return "no-answer" as const;
  if (status === "busy") return "declined" as const;
  return "ended" as const;
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

/** Marks that a party of the call is still connected. */
export async function touchCall(deps: Pick<Ports, "db" | "clock">, sessionId: string) {
  await deps.db
    .update(callSessions)
    .set({ lastActivityAt: deps.clock.now() })
    .where(and(eq(callSessions.id, sessionId), inArray(callSessions.status, [...openStatuses])));
}

// One pending timer per call on the instance that set it (ring deadline, then the time limit); see
// armDeadline in deadlines.ts. Another instance, or the sweeper after a restart, acts on the same
// deadline in the database.
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
