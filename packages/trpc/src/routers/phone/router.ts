import { router } from "../../trpc";
import {
  agentHangUpProcedure,
  agentSignalProcedure,
  answerProcedure,
  callStateProcedure,
  declineProcedure,
  myAvailabilityProcedure,
  setAvailableProcedure,
  setHoursProcedure,
  voiceLineProcedure,
} from "./actions";
import { phoneEventsProcedure } from "./events";

/** The agent's side of browser calls, used by the portal's phone panel. */
export const phoneRouter = router({
  setAvailable: setAvailableProcedure,
  availability: myAvailabilityProcedure,
  setHours: setHoursProcedure,
  events: phoneEventsProcedure,
  answer: answerProcedure,
  decline: declineProcedure,
  signal: agentSignalProcedure,
  hangUp: agentHangUpProcedure,
  voiceLine: voiceLineProcedure,
  callState: callStateProcedure,
});
