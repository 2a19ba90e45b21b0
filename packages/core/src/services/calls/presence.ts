import { memberships } from "@cac/db";
import { and, eq, inArray, max } from "drizzle-orm";
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
 * The account's members who can take a browser call at `at`: set available (availableAgents),
 * inside their own working hours when they set some (in the account's timezone), and holding a
 * live phone panel stream on some instance. Routing and the widget's "callable now" read this.
 */
export async function reachableMembers(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
  at: Date,
): Promise<Array<{ id: string }>> {
  const available = await availableAgents(deps, accountId);
  if (available.length === 0) return [];
  const inHours = await withinMemberHours(
    deps,
    accountId,
    available.map((member) => member.id),
    at,
  );
  const candidates = available.filter((member) => inHours.has(member.id));
  if (candidates.length === 0) return [];
  const holding = await deps.presence.holdingStreams(
    candidates.map((member) => ({ accountId, userId: member.id })),
  );
  return candidates.filter((_, i) => holding[i]);
}

/** The member's own availability as the server holds it, and whether they are reachable now. */
export async function agentAvailability(
  deps: Pick<Ports, "db" | "clock" | "presence">,
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
