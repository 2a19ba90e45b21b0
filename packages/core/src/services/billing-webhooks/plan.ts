import { accounts, buttons } from "@cac/db";
import { and, desc, eq } from "drizzle-orm";
import { type PlanId, planFor, plans } from "../../domain/plans";
import { emails } from "../../email/templates";
import type { MailMessage } from "../../ports";
import type { Tx } from "../rows";
import { ownerEmails } from "./accounts";
import type { WebhookDeps } from "./events";
import { billingUrl } from "./values";

/**
 * Sets the plan whose limits apply. Going down, the newest enabled buttons over the new limit are
 * turned off (never deleted) with the reason, and the owner is told by email.
 */
export async function applyAccountPlan(
  tx: Tx,
  deps: WebhookDeps,
  accountId: string,
  planId: PlanId,
  reason: { subscriptionEnded: boolean },
  mails: MailMessage[],
): Promise<void> {
  const now = deps.clock.now();
  const [account] = await tx.select({ plan: accounts.plan }).from(accounts).where(eq(accounts.id, accountId));
  if (!account) return;
  const from = planFor(account.plan);
  const to = plans[planId];
  if (account.plan !== planId) {
    await tx.update(accounts).set({ plan: planId, updatedAt: now }).where(eq(accounts.id, accountId));
  }

  const enabled = await tx
    .select({ id: buttons.id, name: buttons.name })
    .from(buttons)
    .where(and(eq(buttons.accountId, accountId), eq(buttons.enabled, true)))
    .orderBy(desc(buttons.createdAt), desc(buttons.id));
  const over = enabled.slice(0, Math.max(0, enabled.length - to.buttonsAllowed));
  for (const button of over) {
    await tx
      .update(buttons)
      .set({
        enabled: false,
        disabledReason: `Turned off automatically: the ${to.name} plan allows ${to.buttonsAllowed} active button${to.buttonsAllowed === 1 ? "" : "s"}.`,
        updatedAt: now,
      })
      .where(eq(buttons.id, button.id));
  }

  const downgraded = to.monthlyPriceCents < from.monthlyPriceCents;
  if (downgraded || over.length > 0) {
    deps.log.info({ accountId, from: from.id, to: to.id, disabledButtons: over.length }, "plan downgraded");
    for (const to_ of await ownerEmails(tx, accountId)) {
      mails.push(
        emails.planDowngraded(
          to_,
          {
            fromPlan: from.name,
            toPlan: to.name,
            subscriptionEnded: reason.subscriptionEnded,
            buttonsAllowed: to.buttonsAllowed,
            disabledButtons: over.map((b) => b.name),
          },
          billingUrl(deps),
        ),
      );
    }
  }
}
