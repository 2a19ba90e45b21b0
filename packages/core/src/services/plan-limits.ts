import { accounts, buttons, type Db, invitations, memberships } from "@cac/db";
import { and, count, eq, gt, isNull, ne } from "drizzle-orm";
import { type Plan, planFor } from "../domain/plans";
import { AppError } from "../errors";
import type { Ports } from "../ports";

/** A transaction of the account's plan-limited writes. */
export type PlanTx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** The plan whose limits apply to an account now. Billing decides the plan; this reads it. */
export async function currentPlan(deps: Pick<Ports, "db">, accountId: string): Promise<Plan> {
  const [row] = await deps.db
    .select({ plan: accounts.plan })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return planFor(row?.plan ?? "free");
}

/**
 * A limit of the plan that counts the account's rows. Each says how many the plan allows, how many
 * the account uses now (leaving out `exceptId`, the row being changed), and what the owner is told.
 */
type CountedLimit = {
  allowed(plan: Plan): number;
  used(tx: PlanTx, accountId: string, exceptId: string | undefined, at: Date): Promise<number>;
  refusal(plan: Plan): string;
};

const countedLimits = {
  enabledButtons: {
    allowed: (plan) => plan.buttonsAllowed,
    async used(tx, accountId, exceptId) {
      const [row] = await tx
        .select({ n: count() })
        .from(buttons)
        .where(
          and(
            eq(buttons.accountId, accountId),
            eq(buttons.enabled, true),
            exceptId ? ne(buttons.id, exceptId) : undefined,
          ),
        );
      return row?.n ?? 0;
    },
    refusal: (plan) =>
      `Your ${plan.name} plan allows ${plan.buttonsAllowed} active button${plan.buttonsAllowed === 1 ? "" : "s"}. Disable another button or upgrade your plan.`,
  },
  /** Members; `exceptId` is ignored (a member is never "changed" into one). */
  seats: {
    allowed: (plan) => plan.seatsAllowed,
    async used(tx, accountId) {
      const [row] = await tx
        .select({ n: count() })
        .from(memberships)
        .where(eq(memberships.accountId, accountId));
      return row?.n ?? 0;
    },
    refusal: (plan) =>
      `Your ${plan.name} plan allows ${plan.seatsAllowed} team member${plan.seatsAllowed === 1 ? "" : "s"}. Remove a member or upgrade your plan.`,
  },
  /**
   * Members plus the invitations still open (leaving out `exceptId`, the invitation being resent):
   * counted when inviting, so the owner learns at once that an invitation could not be accepted.
   */
  seatsWithInvitations: {
    allowed: (plan) => plan.seatsAllowed,
    async used(tx, accountId, exceptId, at) {
      const [members] = await tx
        .select({ n: count() })
        .from(memberships)
        .where(eq(memberships.accountId, accountId));
      const [open] = await tx
        .select({ n: count() })
        .from(invitations)
        .where(
          and(
            eq(invitations.accountId, accountId),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
            // An expired invitation frees its seat.
            gt(invitations.expiresAt, at),
            exceptId ? ne(invitations.id, exceptId) : undefined,
          ),
        );
      return (members?.n ?? 0) + (open?.n ?? 0);
    },
    refusal: (plan) =>
      `Your ${plan.name} plan allows ${plan.seatsAllowed} team member${plan.seatsAllowed === 1 ? "" : "s"}, pending invitations included. Revoke an invitation, remove a member or upgrade your plan.`,
  },
} satisfies Record<string, CountedLimit>;

export type CountedLimitName = keyof typeof countedLimits;

/** What a write under the account lock knows and may check (see withinPlanLimits). */
export type PlanScope = {
  tx: PlanTx;
  /** The plan, read under the lock. */
  plan: Plan;
  /**
   * Refuses with PLAN_LIMIT unless one more row counted by `limit` fits the plan. `exceptId` is the
   * row being changed, left out of the count (it is about to become one of them).
   */
  claim(limit: CountedLimitName, exceptId?: string): Promise<void>;
};

/**
 * Runs `write` in a transaction that first locks the account row, so a limit's count and the write
 * it allows are one step: concurrent writes for one account queue on the lock, and each counts what
 * the previous ones wrote. Every limit that counts rows is checked through `claim` in here, after
 * `write` has read (in the same transaction) whatever decides whether it adds a row. Plan changes
 * from billing update the same account row, so they queue on the lock too.
 *
 * `for no key update` rather than `for update`: rows referencing the account (calls, events) can
 * still be inserted meanwhile, since their foreign-key check only takes a key-share lock.
 */
export async function withinPlanLimits<T>(
  deps: Pick<Ports, "db"> & Partial<Pick<Ports, "clock">>,
  accountId: string,
  write: (scope: PlanScope) => Promise<T>,
): Promise<T> {
  return deps.db.transaction(async (tx) => {
    const [account] = await tx
      .select({ plan: accounts.plan })
      .from(accounts)
      .where(eq(accounts.id, accountId))
      .for("no key update");
    if (!account) throw new AppError("NOT_FOUND", "This account no longer exists.");
    const plan = planFor(account.plan);
    const claim = async (name: CountedLimitName, exceptId?: string) => {
      const limit: CountedLimit = countedLimits[name];
      const at = deps.clock?.now() ?? new Date();
      if ((await limit.used(tx, accountId, exceptId, at)) >= limit.allowed(plan)) {
        throw new AppError("PLAN_LIMIT", limit.refusal(plan));
      }
    };
    return write({ tx, plan, claim });
  });
}

/** The account's seats as the plan counts them (withinPlanLimits' `seats` and `seatsWithInvitations`). */
export type SeatUsage = {
  /** Members now. */
  members: number;
  /** Invitations sent and still open (not accepted, revoked or expired): each holds a seat. */
  pending: number;
  allowed: number;
  /** Members and open invitations fill the plan: no one more can be invited. */
  full: boolean;
  /** What an invitation would be refused with now (the same words), or null while one fits. */
  inviteRefusal: string | null;
};

/**
 * How many of the plan's seats are used, by the same counts (and words) that refuse an invitation,
 * so what the portal shows is what the next invitation meets.
 */
export async function seatUsage(deps: Pick<Ports, "db" | "clock">, accountId: string): Promise<SeatUsage> {
  return deps.db.transaction(async (tx) => {
    const [account] = await tx
      .select({ plan: accounts.plan })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    if (!account) throw new AppError("NOT_FOUND", "This account no longer exists.");
    const plan = planFor(account.plan);
    const at = deps.clock.now();
    const members = await countedLimits.seats.used(tx, accountId);
    const held = await countedLimits.seatsWithInvitations.used(tx, accountId, undefined, at);
    const allowed = countedLimits.seatsWithInvitations.allowed(plan);
    const full = held >= allowed;
    return {
      members,
      pending: held - members,
      allowed,
      full,
      inviteRefusal: full ? countedLimits.seatsWithInvitations.refusal(plan) : null,
    };
  });
}

/** Refuses a phone destination on plans that only ring the portal. */
export function assertCanRingPhone(plan: Plan): void {
  if (!plan.canRingPhone) {
    throw new AppError(
      "PLAN_LIMIT",
      `Ringing a phone number is not included in the ${plan.name} plan. Upgrade to use it.`,
      {
        fieldErrors: { phoneNumber: [`Ringing a phone number needs a paid plan.`] },
      },
    );
  }
}
