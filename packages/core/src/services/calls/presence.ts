import { accounts, memberHours, memberships, notificationPreferences, pushSubscriptions } from "@cac/db";
import { and, eq, inArray, max, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { PUSH_ACTIVE_MS } from "../../domain/push";
import type { WeeklyHours } from "../../domain/schedule";
import type { Ports } from "../../ports";
import { withinMemberHours } from "./member-hours";

/** An agent counts as available while their phone panel is open (heartbeat) and set available. */
export const AGENT_PRESENCE_MS = 45_000;
/**
 * Heartbeats live in the presence store; the database gets a copy of each agent's at most this
 * often (memberships.seen_at), a fallback for when the store has lost it (a restart in memory).
 */
export const SEEN_COPY_EVERY_MS = 60_000;
/** Rows updated by one statement when heartbeats are copied to the database. */
const COPY_BATCH = 1000;

type Copied = { id: string; seenAt: Date | null };

/**
 * When each agent was last heard from: the presence store's heartbeat, or the database's copy
 * when that is newer (the store lost it). A copy is never newer than a heartbeat the store holds,
 * so this is the last heartbeat whenever the store has it.
 */
async function lastHeard(deps: Pick<Ports, "presence">, agents: Copied[]): Promise<Array<number | null>> {
  const heard = await deps.presence.lastSeen(agents.map((agent) => agent.id));
  return agents.map((agent, i) => {
    const times = [heard[i], agent.seenAt].flatMap((at) => (at ? [at.getTime()] : []));
    return times.length ? Math.max(...times) : null;
  });
}

/** When these agents were last heard from (those never heard from are left out). */
export async function agentsLastSeen(
  deps: Pick<Ports, "db" | "presence">,
  userIds: string[],
): Promise<Map<string, Date>> {
  if (userIds.length === 0) return new Map();
  // One row per person: their panels beat for them whatever account they are in.
  const copies = await deps.db
    .select({ id: memberships.userId, seenAt: max(memberships.seenAt) })
    .from(memberships)
    .where(inArray(memberships.userId, userIds))
    .groupBy(memberships.userId);
  const heard = await lastHeard(deps, copies);
  return new Map(
    copies.flatMap((agent, i) => {
      const at = heard[i];
      return at === null || at === undefined ? [] : [[agent.id, new Date(at)] as const];
    }),
  );
}

/** The account's members who can take a browser call now: set available there, and heard from lately. */
export async function availableAgents(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
): Promise<Array<{ id: string }>> {
  const candidates = await deps.db
    .select({ id: memberships.userId, seenAt: memberships.seenAt })
    .from(memberships)
    .where(and(eq(memberships.accountId, accountId), eq(memberships.available, true)));
  if (candidates.length === 0) return [];
  const heard = await lastHeard(deps, candidates);
  const since = deps.clock.now().getTime() - AGENT_PRESENCE_MS;
  return candidates.filter((_, i) => (heard[i] ?? 0) > since).map((agent) => ({ id: agent.id }));
}

/** One heartbeat of an agent's phone panel (when it opens): the presence store only. */
export async function touchAgent(deps: Pick<Ports, "presence" | "clock">, userId: string) {
  await deps.presence.beat([userId], deps.clock.now());
}

/**
 * The periodic heartbeat of the agents whose panels are open here: one write to the presence
 * store for all of them, and a copy to the database for those whose copy is a minute old (at most
 * one write per agent per minute, whatever the number of instances or panels).
 */
export async function recordHeartbeats(deps: Pick<Ports, "db" | "presence" | "clock">, userIds: string[]) {
  if (userIds.length === 0) return { copied: 0 };
  const now = deps.clock.now();
  await deps.presence.beat(userIds, now);
  const due = await deps.presence.claimCopies(userIds, now, SEEN_COPY_EVERY_MS);
  for (let i = 0; i < due.length; i += COPY_BATCH) {
    await deps.db
      .update(memberships)
      .set({ seenAt: now })
      .where(inArray(memberships.userId, due.slice(i, i + COPY_BATCH)));
  }
  return { copied: due.length };
}

/**
 * A member set available in an account, as the database holds them: the copy of their last
 * heartbeat, their own hours, and when a device of theirs last said it is alive, if they take
 * incoming calls by push there (null otherwise).
 */
export type ReachCandidate = {
  id: string;
  seenAt: Date | null;
  hours: WeeklyHours | null;
  pushActiveAt: Date | null;
};

/** Who might be reachable in an account: its timezone (the members' hours are in it) and its available members. */
export type ReachCandidates = { timezone: string; members: ReachCandidate[] };

/**
 * The account's members set available there, oldest member first (the order "all members" ring
 * in), as one JSON array of ReachCandidate: a subquery, so that a caller reads them together with
 * whatever else it needs in one round trip (the call start reads them with its button).
 * `accountId`: a value, or a column of a query that joins tables (those columns are qualified).
 */
export function reachCandidatesJson(accountId: SQLWrapper): SQL<unknown> {
  // Aliased, with their columns named here: Drizzle writes a single table's columns unqualified,
  // which inside this subquery would name its own tables' instead of the outer query's.
  // pushAt: the member's most recently active device (push_subscriptions_user_idx), when their
  // incoming-call pushes are on in this account (the default).
  return sql`(select coalesce(json_agg(json_build_object('id', m.user_id, 'seenAt', m.seen_at, 'hours', h.hours,
      'pushAt', (select max(ps.last_active_at) from ${pushSubscriptions} ps where ps.user_id = m.user_id
        and coalesce((select np.push_incoming_call from ${notificationPreferences} np
          where np.account_id = m.account_id and np.user_id = m.user_id), true)))
      order by m.created_at, m.user_id), '[]'::json)
    from ${memberships} m left join ${memberHours} h on h.account_id = m.account_id and h.user_id = m.user_id
    where m.account_id = ${accountId} and m.available)`;
}

/** The rows of `reachCandidatesJson`, as the driver parsed them (timestamps are text inside JSON). */
export function toReachCandidates(json: unknown): ReachCandidate[] {
  const rows = (typeof json === "string" ? JSON.parse(json) : (json ?? [])) as Array<{
    id: string;
    seenAt: string | null;
    hours: WeeklyHours | null;
    pushAt?: string | null;
  }>;
  return rows.map((row) => ({
    id: row.id,
    seenAt: row.seenAt ? new Date(row.seenAt) : null,
    hours: row.hours,
    pushActiveAt: row.pushAt ? new Date(row.pushAt) : null,
  }));
}

/** A member who can take a browser call; `byPush`: only through a device's notification (no panel open). */
export type ReachableMember = { id: string; byPush: boolean };

/**
 * Deps of the reachability reads. `push` comes with the server's ports; without it (or with push
 * off) nobody counts as reachable by push.
 */
type ReachDeps = Pick<Ports, "presence"> & Partial<Pick<Ports, "push">>;

/**
 * Of an account's available members, those who can take a browser call at `at`: inside their own
 * working hours when they set some (in the account's timezone), and either holding a live phone
 * panel stream on some instance while heard from within AGENT_PRESENCE_MS (the store's heartbeat,
 * or the database's copy when newer), or, when the server sends push, taking incoming calls by
 * push on a device active within PUSH_ACTIVE_MS. The presence store is asked once, for all of them.
 */
export async function reachableAmong(
  deps: ReachDeps,
  accountId: string,
  candidates: ReachCandidates,
  at: Date,
): Promise<ReachableMember[]> {
  const inHours = candidates.members.filter((member) =>
    withinMemberHours(member.hours, candidates.timezone, at),
  );
  if (inHours.length === 0) return [];
  const live = await deps.presence.reachability(inHours.map((member) => ({ accountId, userId: member.id })));
  const since = at.getTime() - AGENT_PRESENCE_MS;
  const pushSince = deps.push?.mode === "web-push" ? at.getTime() - PUSH_ACTIVE_MS : null;
  return inHours.flatMap((member, i): ReachableMember[] => {
    const store = live[i];
    const heard = Math.max(store?.seenAt?.getTime() ?? 0, member.seenAt?.getTime() ?? 0);
    if (store?.holding && heard > since) return [{ id: member.id, byPush: false }];
    if (pushSince !== null && (member.pushActiveAt?.getTime() ?? 0) > pushSince) {
      return [{ id: member.id, byPush: true }];
    }
    return [];
  });
}

/** Who might be reachable in the account now (one query; none when the account is gone). */
export async function readReachCandidates(
  deps: Pick<Ports, "db">,
  accountId: string,
): Promise<ReachCandidates> {
  const [row] = await deps.db
    .select({ timezone: accounts.timezone, members: reachCandidatesJson(sql`${accountId}::uuid`) })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return row
    ? { timezone: row.timezone, members: toReachCandidates(row.members) }
    : { timezone: "UTC", members: [] };
}

/**
 * The account's members who can take a browser call at `at` (reachableAmong): one query and one
 * read of the presence store. Routing, the widget's "callable now" and the Team page read this.
 */
export async function reachableMembers(
  deps: Pick<Ports, "db" | "clock" | "presence"> & Partial<Pick<Ports, "push">>,
  accountId: string,
  at: Date,
): Promise<ReachableMember[]> {
  return reachableAmong(deps, accountId, await readReachCandidates(deps, accountId), at);
}

/** The member's own availability as the server holds it, and whether they are reachable now. */
export async function agentAvailability(
  deps: Pick<Ports, "db" | "clock" | "presence"> & Partial<Pick<Ports, "push">>,
  accountId: string,
  userId: string,
): Promise<{ available: boolean; reachable: boolean }> {
  const [row] = await deps.db
    .select({ available: memberships.available })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.accountId, accountId)));
  const available = row?.available ?? false;
  const reachable =
    available &&
    (await reachableMembers(deps, accountId, deps.clock.now())).some((member) => member.id === userId);
  return { available, reachable };
}
