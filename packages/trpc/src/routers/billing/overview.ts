import { billingOverview, planTable } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { overviewOutput, plansOutput } from "./billing.schema";

/** Plan, subscription status, usage this period against the quota, and the billing history. */
export const overviewProcedure = authedProcedure
  .output(overviewOutput)
  .query(({ ctx }) => billingOverview(ctx, { accountId: ctx.account.id, role: ctx.user.role }));

/** The plans, for the upgrade UI. */
export const plansProcedure = authedProcedure
  .output(plansOutput)
  .query(({ ctx }) => planTable(ctx, ctx.account.id));
