import { callSessions, users } from "@cac/db";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { ringingInTime } from "./deadlines";
import { rungNow } from "./ring-steps";

/** Where a call stands, as a member opening it from a notification needs to know. */
export type CallState = {
  state: "ringing" | "answered" | "ended";
  /** The member who took it (their name, or "a teammate" when they have none). */
  answeredBy: string | null;
  /** Whether it rings this member now, so their portal may answer it. */
  ringsYou: boolean;
};

/**
 * The state of one of the account's calls, for the member who opens a push notification: still
 * ringing (and for them?), answered (by whom), or over. Another account's call is NOT_FOUND.
 */
export async function callState(
  deps: Pick<Ports, "db" | "clock">,
  accountId: string,
  userId: string,
  callId: string,
): Promise<CallState> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .select({
      status: callSessions.status,
      answeredBy: callSessions.answeredBy,
      answererName: users.name,
      ringing: sql<boolean>`(${ringingInTime(now)})`,
      // Only browser calls are answered in the portal; phone-number calls ring through Twilio.
      ringsYou: sql<boolean>`(${and(eq(callSessions.transport, "webrtc"), rungNow(userId)) as SQL})`,
    })
    .from(callSessions)
    .leftJoin(users, eq(users.id, callSessions.answeredBy))
    .where(and(eq(callSessions.id, callId), eq(callSessions.accountId, accountId)));
  if (!row) throw new AppError("NOT_FOUND", "This call does not exist.");
  const ringing = Boolean(row.ringing);
  const answeredBy = row.answeredBy ? (row.answererName ?? "a teammate") : null;
  if (ringing) return { state: "ringing", answeredBy: null, ringsYou: Boolean(row.ringsYou) };
  const live = row.status === "in-progress";
  return { state: live ? "answered" : "ended", answeredBy, ringsYou: false };
}
