import { accounts, buttons } from "@cac/db";
import { and, count, eq, ne } from "drizzle-orm";
import { type Plan, planFor } from "../domain/plans";
import { AppError } from "../errors";
import type { Ports } from "../ports";

/** The plan whose limits apply to an account now. Billing decides the plan; this reads it. */
export async function currentPlan(deps: Pick<Ports, "db">, accountId: string): Promise<Plan> {
  const [row] = await deps.db
    .select({ plan: accounts.plan })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return planFor(row?.plan ?? "free");
}

/** Refuses enabling one more button when the plan's limit of enabled buttons is reached. */
export async function assertCanEnableButton(
  deps: Pick<Ports, "db">,
  accountId: string,
  exceptButtonId?: string,
): Promise<void> {
  const plan = await currentPlan(deps, accountId);
  const [row] = await deps.db
    .select({ n: count() })
    .from(buttons)
    .where(
      and(
        eq(buttons.accountId, accountId),
        eq(buttons.enabled, true),
        exceptButtonId ? ne(buttons.id, exceptButtonId) : undefined,
      ),
    );
  if ((row?.n ?? 0) >= plan.buttonsAllowed) {
    throw new AppError(
      "PLAN_LIMIT",
      `Your ${plan.name} plan allows ${plan.buttonsAllowed} active button${plan.buttonsAllowed === 1 ? "" : "s"}. Disable another button or upgrade your plan.`,
    );
  }
}

/** Refuses a phone destination on plans that only ring the portal. */
export async function assertCanRingPhone(deps: Pick<Ports, "db">, accountId: string): Promise<void> {
  const plan = await currentPlan(deps, accountId);
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
