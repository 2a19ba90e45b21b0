import { accounts, memberHours } from "@cac/db";
import { and, eq } from "drizzle-orm";
import { DEFAULT_ACCOUNT_TIMEZONE } from "../../domain/account-timezone";
import { isOpenAt, type WeeklyHours } from "../../domain/schedule";
import type { Ports } from "../../ports";

/** A member's working hours in an account, or null when they set none (the switch alone decides). */
export async function getMemberHours(
  deps: Pick<Ports, "db">,
  accountId: string,
  userId: string,
): Promise<{ hours: WeeklyHours | null; timezone: string }> {
  const [row] = await deps.db
    .select({ timezone: accounts.timezone, hours: memberHours.hours })
    .from(accounts)
    .leftJoin(memberHours, and(eq(memberHours.accountId, accounts.id), eq(memberHours.userId, userId)))
    .where(eq(accounts.id, accountId));
  return { hours: row?.hours ?? null, timezone: row?.timezone ?? DEFAULT_ACCOUNT_TIMEZONE };
}

/**
 * Sets (or, with null, clears) the member's own working hours. The hours are checked by the
 * caller's input schema (weeklyHoursSchema, the buttons' rules). Who is reachable may change, so
 * cached "callable now" answers of the account are not reused.
 */
export async function setMemberHours(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
  userId: string,
  hours: WeeklyHours | null,
) {
  if (hours === null) {
    await deps.db
      .delete(memberHours)
      .where(and(eq(memberHours.accountId, accountId), eq(memberHours.userId, userId)));
  } else {
    const now = deps.clock.now();
    await deps.db
      .insert(memberHours)
      .values({ accountId, userId, hours, updatedAt: now })
      .onConflictDoUpdate({
        target: [memberHours.accountId, memberHours.userId],
        set: { hours, updatedAt: now },
      });
  }
  await deps.presence.bump(accountId);
  return getMemberHours(deps, accountId, userId);
}

/**
 * Whether a member is inside their own working hours at `at` (in the account's timezone); one who
 * set none always is (their availability switch alone decides).
 */
export function withinMemberHours(hours: WeeklyHours | null, timezone: string, at: Date): boolean {
  return hours === null || isOpenAt({ timezone, hours, holidays: [] }, at);
}
