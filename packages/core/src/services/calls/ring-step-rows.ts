import { callRingSteps, type RingOutcome } from "@cac/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Ports } from "../../ports";

/** Records that these members are being rung by the call's step `step`. */
export async function recordRingStep(
  deps: Pick<Ports, "db">,
  callId: string,
  step: number,
  userIds: string[],
  at: Date,
) {
  if (userIds.length === 0) return;
  await deps.db
    .insert(callRingSteps)
    .values(userIds.map((userId) => ({ callId, step, userId, startedAt: at })))
    .onConflictDoNothing();
}

/**
 * Closes the call's steps still ringing: the answering member's as answered and the others' as
 * `others` (taken, when someone answered; rang out, declined or ended otherwise).
 */
export async function closeRingSteps(
  deps: Pick<Ports, "db">,
  callId: string,
  others: RingOutcome,
  at: Date,
  answeredBy?: string,
) {
  const outcome = answeredBy
    ? sql`case when ${callRingSteps.userId} = ${answeredBy}::uuid then 'answered' else ${others} end`
    : others;
  await deps.db
    .update(callRingSteps)
    .set({ outcome, endedAt: at })
    .where(and(eq(callRingSteps.callId, callId), isNull(callRingSteps.endedAt)));
}
