import { router } from "../../trpc";
import {
  callLogChartsProcedure,
  callLogTotalsProcedure,
  listCallLogProcedure,
  liveCallsProcedure,
} from "./queries";

/** The portal's Calls page: the filtered log, its totals and charts, and the calls in progress. */
export const callLogRouter = router({
  list: listCallLogProcedure,
  totals: callLogTotalsProcedure,
  charts: callLogChartsProcedure,
  live: liveCallsProcedure,
});
