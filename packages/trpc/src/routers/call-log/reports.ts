import { callLogSources, resolveCallLogFilter } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { callLogSourcesInput, callLogSourcesOutput } from "./call-log.schema";

/** Where the filtered calls come from: the top pages and sources, with their answer rates. */
export const callLogSourcesProcedure = authedProcedure
  .input(callLogSourcesInput)
  .output(callLogSourcesOutput)
  .query(async ({ ctx, input }) =>
    callLogSources(ctx, await resolveCallLogFilter(ctx, ctx.account, input, { userId: ctx.user.id })),
  );
