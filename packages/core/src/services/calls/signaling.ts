import { timingSafeEqual } from "node:crypto";
import { buttons, callRingSteps, callSessions, memberships } from "@cac/db";
import { and, count, eq, isNull, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { sha256 } from "../sessions";
import {
  type AgentCall,
  type AgentEvent,
  channels,
  ringVisitor,
  type SignalPayload,
  type VisitorEvent,
} from "./channels";
import { armDeadline } from "./deadline-timers";
import { onLastRingStep, ringingInTime } from "./deadlines";
import { endCall, openStatuses, touchCall } from "./lifecycle";
import { reachRingDeadline, rungNow } from "./ring-steps";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded">;

/** The visitor's call, if the token is the one handed out by call.start for it. */
export async function visitorCall(
  deps: Pick<Ports, "db">,
  buttonId: string,
  sessionId: string,
  token: string,
) {
  const [row] = await deps.db
    .select()
    .from(callSessions)
    .where(and(eq(callSessions.id, sessionId), eq(callSessions.buttonId, buttonId)));
  const expected = row?.visitorTokenHash ? Buffer.from(row.visitorTokenHash, "hex") : Buffer.alloc(32);
  const given = Buffer.from(sha256(token), "hex");
  if (!row || !timingSafeEqual(expected, given)) throw new AppError("NOT_FOUND", "This call does not exist.");
  return row;
}

export function isOpen(status: string) {
  return (openStatuses as readonly string[]).includes(status);
}

/** Relays the visitor's offer or ICE candidate to the agent who answered. */
export async function visitorSignal(
  deps: Deps,
  call: { id: string; answeredBy: string | null; status: string },
  payload: SignalPayload,
) {
  if (!isOpen(call.status)) throw new AppError("CONFLICT", "This call has ended.");
  if (!call.answeredBy) throw new AppError("CONFLICT", "The call has not been answered yet.");
  const event: AgentEvent = { type: "signal", sessionId: call.id, payload };
  await deps.pubsub.publish(channels.userPhone(call.answeredBy), event);
  await touchCall(deps, call.id);
  return { ok: true as const };
}

/** Relays the agent's answer or ICE candidate to the visitor; only the answering agent may. */
export async function agentSignal(
  deps: Deps,
  accountId: string,
  userId: string,
  sessionId: string,
  payload: SignalPayload,
) {
  const [call] = await deps.db
    .select({ status: callSessions.status, answeredBy: callSessions.answeredBy })
    .from(callSessions)
    .where(and(eq(callSessions.id, sessionId), eq(callSessions.accountId, accountId)));
  if (!call) throw new AppError("NOT_FOUND", "This call does not exist.");
  if (call.answeredBy !== userId || !isOpen(call.status))
    throw new AppError("CONFLICT", "This call is not yours or has ended.");
  const event: VisitorEvent = { type: "signal", payload };
  await deps.pubsub.publish(channels.visitor(sessionId), event);
  return { ok: true as const };
}

/** Either side hangs up; before an answer that cancels (visitor) or declines (agent) the call. */
export async function hangUp(deps: Deps, sessionId: string, side: "visitor" | "agent") {
  const end = await endCall(
    deps,
    sessionId,
    "completed",
    side === "visitor" ? "The caller hung up." : "The business hung up.",
  );
  return { ok: true as const, ended: end !== null };
}

/** Agents act only on calls of their own account. */
async function requireAccountCall(deps: Pick<Ports, "db">, accountId: string, sessionId: string) {
  const [call] = await deps.db
    .select({ id: callSessions.id })
    .from(callSessions)
    .where(and(eq(callSessions.id, sessionId), eq(callSessions.accountId, accountId)));
  if (!call) throw new AppError("NOT_FOUND", "This call does not exist.");
}

export async function agentHangUp(deps: Deps, accountId: string, sessionId: string) {
  await requireAccountCall(deps, accountId, sessionId);
  return hangUp(deps, sessionId, "agent");
}

/**
 * An agent declines a ringing call: the caller is told no one can answer and offered a callback.
 * Only a call still ringing in time is ended (compare-and-set), never one answered meanwhile.
 */
export async function declineCall(
  deps: Deps & Pick<Ports, "presence">,
  accountId: string,
  sessionId: string,
  userId?: string,
) {
  await requireAccountCall(deps, accountId, sessionId);
  const now = deps.clock.now();
  // A routed call rung for several members at once rings on for the others: only this member stops.
  if (userId && (await declineOwnRing(deps, sessionId, userId, now)) > 0) {
    const rangOut: AgentEvent = { type: "rang-out", sessionId };
    await deps.pubsub.publish(channels.userPhone(userId), rangOut);
    return { ok: true as const, ended: false };
  }
  // Only a member the call rings now may decline it (a stale panel must not skip someone's ring).
  const rungHere = and(ringingInTime(now), userId ? rungNow(userId) : undefined) as SQL;
  // The last member of a step: a routed call with members left in order rings the next one now.
  const [passed] = await deps.db
    .update(callSessions)
    .set({ ringDeadlineAt: now })
    .where(and(eq(callSessions.id, sessionId), rungHere, sql`not (${onLastRingStep()})`))
    .returning({ id: callSessions.id });
  if (passed) {
    const reached = await reachRingDeadline(deps, sessionId);
    if (reached?.kind === "advanced") armDeadline(deps, sessionId, "ring", reached.deadline);
    return { ok: true as const, ended: reached?.kind === "ended" };
  }
  const end = await endCall(deps, sessionId, "busy", "The business declined the call.", {
    onlyFrom: ["ringing"],
    stillMatching: rungHere,
  });
  return { ok: true as const, ended: end !== null };
}

/**
 * Marks this member's ring of the call as declined; how many members the call still rings (0 when
 * this member was not rung, or was the last one ringing).
 */
async function declineOwnRing(deps: Pick<Ports, "db">, sessionId: string, userId: string, now: Date) {
  const declined = await deps.db
    .update(callRingSteps)
    .set({ outcome: "declined", endedAt: now })
    .where(
      and(
        eq(callRingSteps.callId, sessionId),
        eq(callRingSteps.userId, userId),
        isNull(callRingSteps.endedAt),
      ),
    )
    .returning({ callId: callRingSteps.callId });
  if (declined.length === 0) return 0;
  const [left] = await deps.db
    .select({ n: count() })
    .from(callRingSteps)
    .where(and(eq(callRingSteps.callId, sessionId), isNull(callRingSteps.endedAt)));
  return left?.n ?? 0;
}

/**
 * The member's own switch (a person's action, not a heartbeat): going available counts as being
 * seen. Availability is per account: `accountId` is the one the member works in (the session's
 * active account); without it, every account of the person follows.
 */
export async function setAgentAvailable(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  userId: string,
  available: boolean,
  accountId?: string,
) {
  const now = deps.clock.now();
  await deps.db
    .update(memberships)
    .set({ available, seenAt: available ? now : null, updatedAt: now })
    .where(
      accountId
        ? and(eq(memberships.accountId, accountId), eq(memberships.userId, userId))
        : eq(memberships.userId, userId),
    );
  if (available) await deps.presence.beat([userId], now);
  return { available };
}

/** A call ringing now, and the members its current step rings (null: a call from before routing, everyone). */
export type RingingCall = AgentCall & { rings: string[] | null };

/** The account's browser calls ringing now: a phone panel rings those ringing its member when it opens. */
export async function ringingCalls(deps: Pick<Ports, "db">, accountId: string): Promise<RingingCall[]> {
  const rows = await deps.db
    .select({
      sessionId: callSessions.id,
      buttonId: callSessions.buttonId,
      buttonName: buttons.name,
      pageUrl: callSessions.pageUrl,
      startedAt: callSessions.startedAt,
      ringPlan: callSessions.ringPlan,
      ringStep: callSessions.ringStep,
      source: callSessions.source,
      utmCampaign: callSessions.utmCampaign,
      device: callSessions.device,
      visitorLocalTime: callSessions.visitorLocalTime,
    })
    .from(callSessions)
    .leftJoin(buttons, eq(buttons.id, callSessions.buttonId))
    .where(
      and(
        eq(callSessions.accountId, accountId),
        eq(callSessions.status, "ringing"),
        eq(callSessions.transport, "webrtc"),
      ),
    );
  return rows.map(({ ringPlan, ringStep, source, utmCampaign, device, visitorLocalTime, ...call }) => ({
    ...call,
    visitor: ringVisitor({ source, utmCampaign, device, visitorLocalTime }),
    buttonName: call.buttonName ?? "Deleted button",
    startedAt: call.startedAt.toISOString(),
    rings: ringPlan ? (ringPlan[ringStep ?? 0]?.userIds ?? []) : null,
  }));
}
