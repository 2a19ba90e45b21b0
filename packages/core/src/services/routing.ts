import {
  type Button,
  buttonRouting,
  buttonRoutingMembers,
  memberships,
  type RingPlan,
  type RoutingStrategy,
  users,
} from "@cac/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { getButton } from "./buttons";
import { reachableMembers } from "./calls/presence";

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

async function storedRouting(deps: Pick<Ports, "db">, buttonId: string) {
  const [routing] = await deps.db.select().from(buttonRouting).where(eq(buttonRouting.buttonId, buttonId));
  const members = await deps.db
    .select({ userId: buttonRoutingMembers.userId, ringSeconds: buttonRoutingMembers.ringSeconds })
    .from(buttonRoutingMembers)
    .where(eq(buttonRoutingMembers.buttonId, buttonId))
    .orderBy(asc(buttonRoutingMembers.position));
  return {
    who: routing?.who ?? "all",
    strategy: routing?.strategy ?? "ring-all",
    stepSeconds: routing?.stepSeconds ?? DEFAULT_STEP_SECONDS,
    members,
  } satisfies RoutingInput;
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
  deps: Pick<Ports, "db" | "clock">,
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
  return getRouting(deps, accountId, buttonId);
}

/**
 * The steps a browser call on this button rings through, among the members reachable now (read
 * through presence.ts only): ring all at once is one step of everyone for the call's ring time;
 * in order is one step per member, for their ring time. Empty when nobody routed is reachable: the
 * call falls back (the phone number when Twilio rings it, else the callback form).
 */
export async function ringPlanFor(
  deps: Pick<Ports, "db" | "clock" | "presence">,
  button: Pick<Button, "id" | "accountId">,
  ringTimeoutSeconds: number,
): Promise<RingPlan> {
  const [routing, reachable] = await Promise.all([
    storedRouting(deps, button.id),
    reachableMembers(deps, button.accountId, deps.clock.now()),
  ]);
  const here = new Set(reachable.map((agent) => agent.id));
  if (here.size === 0) return [];
  const routed =
    routing.who === "chosen"
      ? routing.members.filter((member) => here.has(member.userId))
      : await everyoneInOrder(deps, button.accountId, [...here]);
  if (routed.length === 0) return [];
  if (routing.strategy === "ring-all") {
    return [{ userIds: routed.map((member) => member.userId), seconds: ringTimeoutSeconds }];
  }
  return routed.map((member) => ({
    userIds: [member.userId],
    seconds: member.ringSeconds ?? routing.stepSeconds,
  }));
}

/** All reachable members, oldest member first (anyone reachable the list does not know rings last). */
async function everyoneInOrder(deps: Pick<Ports, "db">, accountId: string, reachable: string[]) {
  const rank = new Map((await routableMembers(deps, accountId)).map((member, i) => [member.userId, i]));
  return reachable
    .sort((a, b) => (rank.get(a) ?? rank.size) - (rank.get(b) ?? rank.size) || a.localeCompare(b))
    .map((userId) => ({ userId, ringSeconds: null }));
}
