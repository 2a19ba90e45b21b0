import { buttons, callSessions, type RingPlan } from "@cac/db";
import { and, eq, lte, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { announceRing, announceTaken } from "../notifications/events";
import { type AgentCall, type AgentEvent, type CallEnd, channels, ringVisitor } from "./channels";
import { endAtDeadline, onLastRingStep } from "./deadlines";
import { endCall } from "./lifecycle";
import { reachableMembers } from "./presence";
import { closeRingSteps, recordRingStep } from "./ring-step-rows";

// `push` comes with the server's ports; deps put together by hand may go without it (no push then).
type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded" | "presence"> &
  Partial<Pick<Ports, "push">>;

/** Why a routed call ends when the members left in its order cannot be reached. */
const NOBODY_LEFT = "No one was available to answer.";

/** The member is rung by the call's current step (a call from before routing rings everyone). */
export function rungNow(userId: string): SQL {
  return sql`(${callSessions.ringPlan} is null or (${callSessions.ringPlan} -> coalesce(${callSessions.ringStep}, 0) -> 'userIds') @> jsonb_build_array(${userId}::text))`;
}

/** A ringing routed call whose current step ran out and has a step after it: any instance advances it. */
export function ringStepDue(now: Date): SQL {
  return and(
    eq(callSessions.status, "ringing"),
    eq(callSessions.transport, "webrtc"),
    lte(callSessions.ringDeadlineAt, now),
    sql`not (${onLastRingStep()})`,
  ) as SQL;
}

/** The whole ring time of a plan: the most a caller waits before it rings out. */
export function planSeconds(plan: RingPlan): number {
  return plan.reduce((sum, step) => sum + step.seconds, 0);
}

/** The ring each member of a step's panel receives. */
export async function ringEventOf(
  deps: Pick<Ports, "db">,
  call: {
    id: string;
    buttonId: string | null;
    pageUrl: string | null;
    startedAt: Date;
  } & Parameters<typeof ringVisitor>[0],
): Promise<AgentEvent> {
  const [button] = call.buttonId
    ? await deps.db.select({ name: buttons.name }).from(buttons).where(eq(buttons.id, call.buttonId))
    : [];
  const ringing: AgentCall = {
    sessionId: call.id,
    buttonId: call.buttonId,
    buttonName: button?.name ?? "Deleted button",
    pageUrl: call.pageUrl,
    startedAt: call.startedAt.toISOString(),
    visitor: ringVisitor(call),
  };
  return { type: "ring", call: ringing };
}

/** Rings the step's members: one event on each one's own channel (their panels only). */
export async function publishRing(deps: Pick<Ports, "pubsub">, userIds: string[], ring: AgentEvent) {
  await Promise.all(userIds.map((userId) => deps.pubsub.publish(channels.userPhone(userId), ring)));
}

/**
 * The plan's first step after `current` with a member reachable now (read through presence.ts), and
 * who of its members it rings; null when nobody is left in order: the routing's end. A phone call
 * rings its button's number then, a browser call ends unanswered.
 */
export async function nextReachableStep(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
  plan: RingPlan,
  current: number,
  now: Date,
): Promise<{ next: number; step: RingPlan[number]; rung: string[] } | null> {
  if (current + 1 >= plan.length) return null;
  const reachable = new Set((await reachableMembers(deps, accountId, now)).map((agent) => agent.id));
  for (let next = current + 1; next < plan.length; next++) {
    const step = plan[next];
    const rung = step?.userIds.filter((id) => reachable.has(id)) ?? [];
    if (step && rung.length) return { next, step, rung };
  }
  return null;
}

export type RingDeadlineResult =
  | { kind: "advanced"; step: number; deadline: Date }
  | { kind: "ended"; end: CallEnd }
  | null;

/**
 * A browser call's ring deadline, reached on whichever instance (its timer, or the sweeper): the
 * current step rang out. A routed call with members left in order advances to the next step with
 * someone reachable, by one conditional update on the step it was on, so however many instances
 * see the deadline, the step advances once and its members are rung once. On the last step, or with
 * nobody left to reach, the call ends unanswered (the visitor is offered the callback form): a
 * browser call has no number to fall back on, since a button whose number Twilio rings places phone
 * calls from their start, and their TwiML rings the same routing, then the number (twilio.ts).
 * Null when the deadline has not passed or the call moved on (answered, ended, advanced).
 */
export async function reachRingDeadline(deps: Deps, sessionId: string): Promise<RingDeadlineResult> {
  const now = deps.clock.now();
  const [call] = await deps.db
    .select()
    .from(callSessions)
    .where(and(eq(callSessions.id, sessionId), ringStepDue(now)));
  if (!call?.ringPlan || call.ringStep === null) {
    const end = await endAtDeadline(deps, sessionId, "ring");
    return end ? { kind: "ended", end } : null;
  }
  const plan = call.ringPlan;
  const current = call.ringStep;
  const stillOnStep = and(eq(callSessions.ringStep, current), ringStepDue(now)) as SQL;
  const found = await nextReachableStep(deps, call.accountId, plan, current, now);
  if (!found) {
    const end = await endCall(deps, sessionId, "no-answer", NOBODY_LEFT, {
      onlyFrom: ["ringing"],
      stillMatching: stillOnStep,
    });
    return end ? { kind: "ended", end } : null;
  }
  const { next, step, rung } = found;
  const deadline = new Date(now.getTime() + step.seconds * 1000);
  const [advanced] = await deps.db
    .update(callSessions)
    .set({ ringStep: next, ringDeadlineAt: deadline })
    .where(and(eq(callSessions.id, sessionId), stillOnStep))
    .returning({ id: callSessions.id });
  if (!advanced) return null;
  // Only the update that advanced the step gets here: the steps are recorded and rung once.
  await closeRingSteps(deps, sessionId, "no-answer", now);
  await recordRingStep(deps, sessionId, next, rung, now);
  const rangOut: AgentEvent = { type: "rang-out", sessionId };
  const previous = plan[current]?.userIds ?? [];
  try {
    await Promise.all(previous.map((id) => deps.pubsub.publish(channels.userPhone(id), rangOut)));
    const ring = await ringEventOf(deps, call);
    await publishRing(deps, rung, ring);
    if (ring.type === "ring") {
      announceTaken(deps, call, "This call is ringing another member now.", previous);
      announceRing(deps, call, ring.call.buttonName, rung);
    }
  } catch (error) {
    // The step is stored: a panel that missed the ring sees the call when its feed reconnects.
    deps.log.warn({ err: error, sessionId }, "the next ring step could not be published");
  }
  return { kind: "advanced", step: next, deadline };
}
