import {
  accounts,
  type Button,
  buttonRouting,
  buttonRoutingMembers,
  buttons,
  memberships,
  type RingPlan,
  type RoutingStrategy,
  users,
} from "@cac/db";
import { and, asc, eq, inArray, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { PUSH_COLD_START_SECONDS } from "../domain/push";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { getButton } from "./buttons";
import {
  type ReachCandidates,
  reachableAmong,
  reachCandidatesJson,
  toReachCandidates,
} from "./calls/presence";

/** Bounds of one step's ring time when ringing in order. */
export const STEP_SECONDS = { min: 5, max: 120 } as const;
export const DEFAULT_STEP_SECONDS = 20;

export type RoutingInput = {
  who: "all" | "chosen";
  strategy: RoutingStrategy;
  stepSeconds: number;
  /** The chosen members, in ringing order (ignored when `who` is "all"). */
  members: Array<{ userId: string; ringSeconds: number | null }>;
};

export type RoutingView = RoutingInput & {
  members: Array<{ userId: string; name: string; ringSeconds: number | null }>;
  /** The account's members a button can ring. */
  candidates: Array<{ userId: string; name: string }>;
};

/**
 * The account's members a button may ring, oldest first (the order "all members" ring in).
 * The one place routing reads who belongs to an account.
 */
export async function routableMembers(deps: Pick<Ports, "db">, accountId: string) {
  return deps.db
    .select({ userId: memberships.userId, name: users.name })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.accountId, accountId))
    .orderBy(asc(memberships.createdAt), asc(memberships.userId));
}

/**
 * A button's stored routing as one JSON value (its settings, and its chosen members in ringing
 * order): a subquery, so that a call start reads it with its button in one round trip.
 * `buttonId`: a value, or a column of a query that joins tables.
 */
function storedRoutingJson(buttonId: SQLWrapper): SQL<unknown> {
  // Aliased, with their columns named here (as reachCandidatesJson, for the same reason).
  return sql`json_build_object(
    'routing', (select json_build_object('who', r.who, 'strategy', r.strategy, 'stepSeconds', r.step_seconds)
      from ${buttonRouting} r where r.button_id = ${buttonId}),
    'members', (select coalesce(json_agg(json_build_object('userId', rm.user_id, 'ringSeconds', rm.ring_seconds)
        order by rm.position), '[]'::json)
      from ${buttonRoutingMembers} rm where rm.button_id = ${buttonId}))`;
}

/** The routing `storedRoutingJson` read (a button never routed rings everyone at once). */
function toStoredRouting(json: unknown): RoutingInput {
  const stored = (typeof json === "string" ? JSON.parse(json) : json) as {
    routing: Pick<RoutingInput, "who" | "strategy" | "stepSeconds"> | null;
    members: RoutingInput["members"] | null;
  } | null;
  return {
    who: stored?.routing?.who ?? "all",
    strategy: stored?.routing?.strategy ?? "ring-all",
    stepSeconds: stored?.routing?.stepSeconds ?? DEFAULT_STEP_SECONDS,
    members: stored?.members ?? [],
  };
}

async function storedRouting(deps: Pick<Ports, "db">, buttonId: string): Promise<RoutingInput> {
  const [row] = await deps.db
    .select({ routing: storedRoutingJson(sql`${buttonId}::uuid`) })
    .from(buttons)
    .where(eq(buttons.id, buttonId));
  return toStoredRouting(row?.routing);
}

/** A button's routing as the editor shows it (a button never routed rings everyone at once). */
export async function getRouting(
  deps: Pick<Ports, "db">,
  accountId: string,
  buttonId: string,
): Promise<RoutingView> {
  await getButton(deps, accountId, buttonId);
  const [routing, candidates] = await Promise.all([
    storedRouting(deps, buttonId),
    routableMembers(deps, accountId),
  ]);
  const names = new Map(candidates.map((member) => [member.userId, member.name]));
  return {
    ...routing,
    members: routing.members.flatMap((member) => {
      const name = names.get(member.userId);
      return name === undefined ? [] : [{ ...member, name }];
    }),
    candidates,
  };
}

/** Replaces a button's routing. Chosen members must belong to the account, each once. */
export async function setRouting(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  accountId: string,
  buttonId: string,
  input: RoutingInput,
): Promise<RoutingView> {
  await getButton(deps, accountId, buttonId);
  const chosen = input.who === "chosen" ? input.members : [];
  if (input.who === "chosen" && chosen.length === 0) {
    throw new AppError("BAD_INPUT", "Choose at least one member to ring, or ring all members.");
  }
  const ids = chosen.map((member) => member.userId);
  if (new Set(ids).size !== ids.length) throw new AppError("BAD_INPUT", "A member is listed twice.");
  if (ids.length) {
    const found = await deps.db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.accountId, accountId), inArray(memberships.userId, ids)));
    if (found.length !== ids.length) {
      throw new AppError("BAD_INPUT", "One of the chosen members is not a member of this account.");
    }
  }
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const fields = {
      who: input.who,
      strategy: input.strategy,
      stepSeconds: input.stepSeconds,
      updatedAt: now,
    };
    await tx
      .insert(buttonRouting)
      .values({ buttonId, accountId, ...fields })
      .onConflictDoUpdate({ target: buttonRouting.buttonId, set: fields });
    await tx.delete(buttonRoutingMembers).where(eq(buttonRoutingMembers.buttonId, buttonId));
    if (chosen.length) {
      await tx.insert(buttonRoutingMembers).values(
        chosen.map((member, position) => ({
          buttonId,
          accountId,
          userId: member.userId,
          position,
          ringSeconds: member.ringSeconds,
        })),
      );
    }
  });
  // Who the button rings changed: its cached "callable now" answer is made afresh.
  await deps.presence.bump(accountId);
  return getRouting(deps, accountId, buttonId);
}

/** What a browser call's ring plan is made from: the button's routing, and who might be reachable. */
export type RingFacts = { routing: RoutingInput; candidates: ReachCandidates };

/**
 * The fields of RingFacts, for a query that reads `buttons` joined with their `accounts`: the
 * call start reads them with its button (services/widget-visit.ts), in the same round trip.
 */
export function ringFactsFields() {
  return {
    routing: storedRoutingJson(buttons.id),
    timezone: accounts.timezone,
    candidates: reachCandidatesJson(buttons.accountId),
  };
}

/** The RingFacts of a row of `ringFactsFields`. */
export function toRingFacts(row: { routing: unknown; timezone: string; candidates: unknown }): RingFacts {
  return {
    routing: toStoredRouting(row.routing),
    candidates: { timezone: row.timezone, members: toReachCandidates(row.candidates) },
  };
}

/**
 * The steps a browser call rings through, among the routed members reachable at `at` (presence.ts
 * decides who is; one read of the presence store): ring all at once is one step of everyone for
 * the call's ring time; in order is one step per member, for their ring time. Empty when nobody
 * routed is reachable: the call falls back (the phone number when Twilio rings it, else the
 * callback form). "All members" ring oldest member first (the order the candidates come in).
 */
export async function planRing(
  deps: Pick<Ports, "presence"> & Partial<Pick<Ports, "push">>,
  accountId: string,
  facts: RingFacts,
  ringTimeoutSeconds: number,
  at: Date,
): Promise<RingPlan> {
  const { routing } = facts;
  const reachable = await reachableAmong(deps, accountId, facts.candidates, at);
  if (reachable.length === 0) return [];
  const here = new Map(reachable.map((agent) => [agent.id, agent.byPush]));
  const routed =
    routing.who === "chosen"
      ? routing.members.filter((member) => here.has(member.userId))
      : reachable.map((agent) => ({ userId: agent.id, ringSeconds: null }));
  if (routed.length === 0) return [];
  // A step that rings only phones asleep in pockets (no panel open) waits for one to wake up.
  const coldStart = (userIds: string[], seconds: number) =>
    userIds.every((id) => here.get(id) === true) ? Math.max(seconds, PUSH_COLD_START_SECONDS) : seconds;
  if (routing.strategy === "ring-all") {
    const userIds = routed.map((member) => member.userId);
    return [{ userIds, seconds: coldStart(userIds, ringTimeoutSeconds) }];
  }
  return routed.map((member) => ({
    userIds: [member.userId],
    seconds: coldStart([member.userId], member.ringSeconds ?? routing.stepSeconds),
  }));
}

/** The ring plan of a call on this button starting now (planRing), its facts read in one query. */
export async function ringPlanFor(
  deps: Pick<Ports, "db" | "clock" | "presence"> & Partial<Pick<Ports, "push">>,
  button: Pick<Button, "id" | "accountId">,
  ringTimeoutSeconds: number,
): Promise<RingPlan> {
  const [row] = await deps.db
    .select(ringFactsFields())
    .from(buttons)
    .innerJoin(accounts, eq(accounts.id, buttons.accountId))
    .where(eq(buttons.id, button.id));
  if (!row) return [];
  return planRing(deps, button.accountId, toRingFacts(row), ringTimeoutSeconds, deps.clock.now());
}
