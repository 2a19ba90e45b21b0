import { callRingSteps, type RingOutcome } from "@cac/db";
import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
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

/** Records that a phone call's step `step` rings the button's number (the routing's fallback). */
export async function recordPhoneStep(
  deps: Pick<Ports, "db">,
  callId: string,
  step: number,
  phoneNumber: string,
  at: Date,
) {
  await deps.db
    .insert(callRingSteps)
    .values({ callId, step, phoneNumber, startedAt: at })
    .onConflictDoNothing();
}

/** Who took the call: a member (by user id), or the button's phone number. */
export type Answerer = string | { phone: true };

/**
 * Closes the call's steps still ringing: the answerer's as answered and the others' as `others`
 * (taken, when someone answered; rang out, declined or ended otherwise).
 */
export async function closeRingSteps(
  deps: Pick<Ports, "db">,
  callId: string,
  others: RingOutcome,
  at: Date,
  answeredBy?: Answerer,
) {
  const answerer =
    answeredBy === undefined
      ? undefined
      : typeof answeredBy === "string"
        ? sql`${callRingSteps.userId} = ${answeredBy}::uuid`
        : isNotNull(callRingSteps.phoneNumber);
  const outcome = answerer ? sql`case when ${answerer} then 'answered' else ${others} end` : others;
  await deps.db
    .update(callRingSteps)
    .set({ outcome, endedAt: at })
    .where(and(eq(callRingSteps.callId, callId), isNull(callRingSteps.endedAt)));
}
