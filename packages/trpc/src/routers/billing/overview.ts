import { billingOverview, planTable } from "@cac/core";
import { authedProcedure } from "../../trpc";

/** Plan, subscription status, usage this period against the quota, and the billing history. */
export const overviewProcedure = authedProcedure.query(({ ctx }) =>
  billingOverview(ctx, { accountId: ctx.account.id, role: ctx.user.role }),
);

/** The plans, for the upgrade UI. */
export const plansProcedure = authedProcedure.query(({ ctx }) => planTable(ctx, ctx.account.id));
