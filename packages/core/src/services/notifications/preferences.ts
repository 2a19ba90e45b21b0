import { memberships, notificationPreferences } from "@cac/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";

/** Which events reach a member of an account, by push and by email. */
export type NotificationPreferences = {
  pushIncomingCall: boolean;
  pushMissedCall: boolean;
  pushCallback: boolean;
  emailMissedCall: boolean;
  emailCallback: boolean;
  emailDailySummary: boolean;
};

export type NotificationPreference = keyof NotificationPreferences;

/** A member who never changed anything: the table's defaults (today's emails stay on). */
export const DEFAULT_NOTIFICATION_PREFERENCES: Readonly<NotificationPreferences> = {
  pushIncomingCall: true,
  pushMissedCall: true,
  pushCallback: true,
  emailMissedCall: true,
  emailCallback: true,
  emailDailySummary: false,
};

const columns = {
  pushIncomingCall: notificationPreferences.pushIncomingCall,
  pushMissedCall: notificationPreferences.pushMissedCall,
  pushCallback: notificationPreferences.pushCallback,
  emailMissedCall: notificationPreferences.emailMissedCall,
  emailCallback: notificationPreferences.emailCallback,
  emailDailySummary: notificationPreferences.emailDailySummary,
} as const;

const sqlNames: Record<NotificationPreference, string> = {
  pushIncomingCall: "push_incoming_call",
  pushMissedCall: "push_missed_call",
  pushCallback: "push_callback",
  emailMissedCall: "email_missed_call",
  emailCallback: "email_callback",
  emailDailySummary: "email_daily_summary",
};

/**
 * Whether the member (the row of `memberships` the outer query reads, unaliased) has `which` on:
 * their stored choice, or the default when they have no row. For queries that pick recipients.
 * Spelled out with an alias: Drizzle writes a single table's columns unqualified, which inside this
 * subquery would name its own table's.
 */
export function preferenceOn(which: NotificationPreference): SQL<boolean> {
  return sql<boolean>`coalesce((select np.${sql.identifier(sqlNames[which])} from ${notificationPreferences} np
    where np.account_id = "memberships"."account_id" and np.user_id = "memberships"."user_id"),
    ${sql.raw(String(DEFAULT_NOTIFICATION_PREFERENCES[which]))})`;
}

async function requireMember(deps: Pick<Ports, "db">, accountId: string, userId: string) {
  const [member] = await deps.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.userId, userId)));
  if (!member) throw new AppError("NOT_FOUND", "You are not a member of this account.");
}

/** The member's preferences in this account (the defaults when they never changed them). */
export async function getNotificationPreferences(
  deps: Pick<Ports, "db">,
  accountId: string,
  userId: string,
): Promise<NotificationPreferences> {
  const [row] = await deps.db
    .select(columns)
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.accountId, accountId), eq(notificationPreferences.userId, userId)));
  return row ?? { ...DEFAULT_NOTIFICATION_PREFERENCES };
}

/** Changes some of the member's preferences in this account; answers all of them. */
export async function updateNotificationPreferences(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
  userId: string,
  changes: Partial<NotificationPreferences>,
): Promise<NotificationPreferences> {
  await requireMember(deps, accountId, userId);
  const set = Object.fromEntries(
    Object.entries(changes).filter(([key, value]) => key in columns && typeof value === "boolean"),
  ) as Partial<NotificationPreferences>;
  const now = deps.clock.now();
  await deps.db
    .insert(notificationPreferences)
    .values({ accountId, userId, ...DEFAULT_NOTIFICATION_PREFERENCES, ...set, updatedAt: now })
    .onConflictDoUpdate({
      target: [notificationPreferences.accountId, notificationPreferences.userId],
      set: { ...set, updatedAt: now },
    });
  // Push for incoming calls decides whether a member away from the portal is reachable.
  if (set.pushIncomingCall !== undefined) await deps.presence.bump(accountId);
  return getNotificationPreferences(deps, accountId, userId);
}

/** Of these members of the account, those with `which` on. */
export async function membersWith(
  deps: Pick<Ports, "db">,
  accountId: string,
  userIds: readonly string[],
  which: NotificationPreference,
): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await deps.db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(
        eq(memberships.accountId, accountId),
        inArray(memberships.userId, [...userIds]),
        preferenceOn(which),
      ),
    );
  return rows.map((row) => row.userId);
}
