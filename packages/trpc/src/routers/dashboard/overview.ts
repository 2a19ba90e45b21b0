import { dashboardOverview } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { overviewOutput } from "./dashboard.schema";

export const overviewProcedure = authedProcedure
  .output(overviewOutput)
  .query(({ ctx }) => dashboardOverview(ctx, ctx));
