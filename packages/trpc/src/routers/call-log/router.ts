import { router } from "../../trpc";
import {
  callLogChartsProcedure,
  callLogContextOptionsProcedure,
  callLogTotalsProcedure,
  listCallLogProcedure,
  liveCallsProcedure,
} from "./queries";
import { callLogSourcesProcedure } from "./reports";
import { addCallNoteProcedure, callWorkProcedure, setCallTagsProcedure } from "./work";

/**
 * The portal's Calls page: the filtered log, its totals and charts, the calls in progress, and each
 * call's notes and tags.
 */
export const callLogRouter = router({
  list: listCallLogProcedure,
  totals: callLogTotalsProcedure,
  charts: callLogChartsProcedure,
  sources: callLogSourcesProcedure,
  live: liveCallsProcedure,
  contextOptions: callLogContextOptionsProcedure,
  work: callWorkProcedure,
  setTags: setCallTagsProcedure,
  addNote: addCallNoteProcedure,
});
