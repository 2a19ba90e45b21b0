import { type CallSession, callSessions, users } from "@cac/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { announceTaken } from "../notifications/events";
import { allowedCallSeconds, getUsage } from "../usage";
import { type AgentEvent, channels, type VisitorEvent } from "./channels";
import { armDeadline } from "./deadline-timers";
import { ringingInTime } from "./deadlines";
import { closeRingSteps } from "./ring-step-rows";
import { reachRingDeadline, rungNow } from "./ring-steps";

type Deps = Pick<Ports, "db" | "pubsub" | "clock" | "log" | "onCallEnded" | "presence"> &
  Partial<Pick<Ports, "push">>;

/**
 * An agent takes a ringing browser call, on whichever instance: one conditional update from
 * "ringing, before its ring deadline", so the first answer wins and later ones (or one after the
 * deadline) get CONFLICT. The call's time limit, the minutes it reserved at its start, is stored
 * with the answer as the time the call must end, and this instance's timer watches it.
 */
export async function answerCall(deps: Deps, accountId: string, userId: string, sessionId: string) {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(callSessions)
    .set({
      status: "in-progress",
      answeredAt: now,
      answeredBy: userId,
      lastActivityAt: now,
      limitEndsAt: sql`${now.toISOString()}::timestamptz + make_interval(mins => ${callSessions.reservedMinutes})`,
    })
    .where(
      and(
        eq(callSessions.id, sessionId),
        eq(callSessions.accountId, accountId),
        eq(callSessions.transport, "webrtc"),
        isNull(callSessions.answeredBy),
        ringingInTime(now),
        // Only a member the call's routing rings now may take it.
        rungNow(userId),
      ),
    )
    .returning();
  if (!row) throw await notAnswerable(deps, accountId, sessionId);
  const call = row.limitEndsAt ? row : await limitLegacyCall(deps, row, now);
  const limitEndsAt = call.limitEndsAt ?? now;
  const maxCallSeconds = Math.round((limitEndsAt.getTime() - now.getTime()) / 1000);
  await closeRingSteps(deps, sessionId, "taken", now, userId);
  const [answerer] = await deps.db.select({ name: users.name }).from(users).where(eq(users.id, userId));
  const answered: VisitorEvent = { type: "answered" };
  const taken: AgentEvent = { type: "taken", sessionId, byUserId: userId, byName: answerer?.name ?? null };
  await Promise.all([
    deps.pubsub.publish(channels.visitor(sessionId), answered),
    deps.pubsub.publish(channels.accountPhone(accountId), taken),
  ]);
  armDeadline(deps, sessionId, "limit", limitEndsAt);
  // The ring's notification on the other members' devices says who took it (after this response).
  announceTaken(deps, call, answerer?.name ? `Taken by ${answerer.name}` : "Someone else took this call.");
  return { call, maxCallSeconds };
}

/**
 * A call started before calls reserved their minutes has no reservation to end at: it gets the
 * minutes left now, as calls did then.
 */
async function limitLegacyCall(deps: Deps, call: CallSession, now: Date): Promise<CallSession> {
  const seconds = Math.max(1, allowedCallSeconds(await getUsage(deps, call.accountId)));
  const limitEndsAt = new Date(now.getTime() + seconds * 1000);
  await deps.db
    .update(callSessions)
    .set({ limitEndsAt })
    .where(and(eq(callSessions.id, call.id), eq(callSessions.status, "in-progress")));
  return { ...call, limitEndsAt };
}

/** Why an answer changed nothing; a call found ringing past its deadline is ended (no-answer) now. */
async function notAnswerable(deps: Deps, accountId: string, sessionId: string) {
  const [existing] = await deps.db
    .select({ status: callSessions.status })
    .from(callSessions)
    .where(and(eq(callSessions.id, sessionId), eq(callSessions.accountId, accountId)));
  if (!existing) return new AppError("NOT_FOUND", "This call does not exist.");
  if (existing.status === "in-progress") return new AppError("CONFLICT", "Someone else answered this call.");
  if (existing.status === "ringing") {
    // Past its step's deadline: it advances (or ends) now. In time: it rings someone else now.
    const reached = await reachRingDeadline(deps, sessionId);
    if (reached === null || reached.kind === "advanced") {
      return new AppError("CONFLICT", "This call is ringing another member now.");
    }
  }
  return new AppError("CONFLICT", "This call has already ended.");
}
