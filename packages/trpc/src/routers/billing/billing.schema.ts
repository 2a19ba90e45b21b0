import { z } from "zod";

export const checkoutInput = z.object({
  plan: z.enum(["starter", "pro"], { error: "Choose the Starter or Pro plan." }),
});

const planIdOutput = z.enum(["free", "starter", "pro"]);

const planOutput = z.object({
  id: planIdOutput,
  name: z.string(),
  monthlyPriceCents: z.number(),
  buttonsAllowed: z.number(),
  minutesPerMonth: z.number(),
  maxCallSeconds: z.number(),
  canRingPhone: z.boolean(),
});

/** The billing page: plan, subscription, this period's usage against the quota, and the history. */
export const overviewOutput = z.object({
  stripeEnabled: z.boolean(),
  note: z.string().nullable(),
  plan: planOutput,
  subscription: z
    .object({
      plan: planIdOutput,
      planName: z.string(),
      /** Stripe's status word. */
      status: z.string(),
      /** What the portal says: Stripe's status, or "canceling" at the period's end. */
      state: z.string(),
      cancelAtPeriodEnd: z.boolean(),
      currentPeriodStart: z.date().nullable(),
      currentPeriodEnd: z.date().nullable(),
      endsAt: z.date().nullable(),
    })
    .nullable(),
  pastDue: z.boolean(),
  usage: z.object({
    periodStart: z.date(),
    periodEnd: z.date(),
    calls: z.number(),
    minutesUsed: z.number(),
    minutesIncluded: z.number(),
    minutesLeft: z.number(),
    percentUsed: z.number(),
    buttonsEnabled: z.number(),
    buttonsAllowed: z.number(),
  }),
  history: z.array(
    z.object({
      id: z.string(),
      date: z.date(),
      amountCents: z.number(),
      currency: z.string(),
      status: z.enum(["paid", "failed"]),
      description: z.string().nullable(),
      invoiceUrl: z.string().nullable(),
    }),
  ),
  canManage: z.boolean(),
  hasBillingAccount: z.boolean(),
});

/** The plans, for the upgrade UI. */
export const plansOutput = z.object({
  stripeEnabled: z.boolean(),
  currentPlan: planIdOutput,
  plans: z.array(planOutput.extend({ current: z.boolean(), purchasable: z.boolean() })),
});
