import {
  callLogCharts,
  callLogContextOptions,
  callLogTotals,
  listCallLog,
  liveCalls,
  resolveCallLogFilter,
  withVisibleIps,
} from "@cac/core";
import { authedProcedure } from "../../trpc";
import {
  callLogChartsInput,
  callLogChartsOutput,
  callLogContextOptionsInput,
  callLogContextOptionsOutput,
  callLogListInput,
  callLogPageOutput,
  callLogTotalsInput,
  callLogTotalsOutput,
  liveCallsOutput,
} from "./call-log.schema";

// Every procedure reads the account from the session; a button id in the input must be the
// account's own (NOT_FOUND otherwise).

export const listCallLogProcedure = authedProcedure
  .input(callLogListInput)
  .output(callLogPageOutput)
  .query(async ({ ctx, input }) => {
    const { cursor, limit, ...filters } = input;
    const filter = await resolveCallLogFilter(ctx, ctx.account, filters, { userId: ctx.user.id });
    const page = await listCallLog(ctx, filter, { cursor, limit });
    // Agents see visitors' networks, not their addresses.
    return { ...page, items: withVisibleIps(ctx.user.role, page.items) };
  });

export const callLogTotalsProcedure = authedProcedure
  .input(callLogTotalsInput)
  .output(callLogTotalsOutput)
  .query(async ({ ctx, input }) =>
    callLogTotals(ctx, await resolveCallLogFilter(ctx, ctx.account, input, { userId: ctx.user.id })),
  );

export const callLogChartsProcedure = authedProcedure
  .input(callLogChartsInput)
  .output(callLogChartsOutput)
  .query(async ({ ctx, input }) =>
    callLogCharts(ctx, await resolveCallLogFilter(ctx, ctx.account, input, { userId: ctx.user.id })),
  );

export const liveCallsProcedure = authedProcedure.output(liveCallsOutput).query(async ({ ctx }) => {
  const live = await liveCalls(ctx, ctx.account);
  return { ...live, items: withVisibleIps(ctx.user.role, live.items) };
});

/** The sources and campaigns of the account's calls in the range, for the log's filters. */
export const callLogContextOptionsProcedure = authedProcedure
  .input(callLogContextOptionsInput)
  .output(callLogContextOptionsOutput)
  .query(async ({ ctx, input }) =>
    callLogContextOptions(ctx, await resolveCallLogFilter(ctx, ctx.account, input, { userId: ctx.user.id })),
  );
