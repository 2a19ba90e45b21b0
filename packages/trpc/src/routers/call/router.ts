import { router } from "../../trpc";
import { callEventsProcedure } from "./events";
import { reportFailureProcedure } from "./report";
import { visitorHangUpProcedure, visitorSignalProcedure } from "./signal";
import { startCallProcedure } from "./start";

/** The visitor's side of a call, called by the widget from the customer's site. */
export const callRouter = router({
  start: startCallProcedure,
  events: callEventsProcedure,
  signal: visitorSignalProcedure,
  hangUp: visitorHangUpProcedure,
  reportFailure: reportFailureProcedure,
});
