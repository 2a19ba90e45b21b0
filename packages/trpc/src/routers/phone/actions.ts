import { answerCall, endCall, setCallTimer } from "../../services/calls/lifecycle";
import { agentHangUp, agentSignal, declineCall, setAgentAvailable } from "../../services/calls/signaling";
import { agentVoiceLine } from "../../services/calls/twilio";
import { allowedCallSeconds, getUsage } from "../../services/usage";
import { authedProcedure } from "../../trpc";
import { agentSignalInput, availabilityInput, sessionIdInput } from "./phone.schema";

export const setAvailableProcedure = authedProcedure
  .input(availabilityInput)
  .mutation(({ ctx, input }) => setAgentAvailable(ctx, ctx.user.id, input.available));

export const answerProcedure = authedProcedure.input(sessionIdInput).mutation(async ({ ctx, input }) => {
  const call = await answerCall(ctx, ctx.account.id, ctx.user.id, input.sessionId);
  // The plan's time limit (or the minutes left) ends the call on the server's side too.
  const limitSeconds = allowedCallSeconds(await getUsage(ctx, ctx.account.id));
  setCallTimer(
    call.id,
    Math.max(1, limitSeconds) * 1000,
    () => endCall(ctx, call.id, "completed", "The call reached its time limit."),
    ctx.log,
  );
  return { sessionId: call.id, iceServers: ctx.settings.calls.iceServers, maxCallSeconds: limitSeconds };
});

export const declineProcedure = authedProcedure
  .input(sessionIdInput)
  .mutation(({ ctx, input }) => declineCall(ctx, ctx.account.id, input.sessionId));

export const agentSignalProcedure = authedProcedure
  .input(agentSignalInput)
  .mutation(({ ctx, input }) =>
    agentSignal(ctx, ctx.account.id, ctx.user.id, input.sessionId, input.payload),
  );

export const agentHangUpProcedure = authedProcedure
  .input(sessionIdInput)
  .mutation(({ ctx, input }) => agentHangUp(ctx, ctx.account.id, input.sessionId));

/** The Voice SDK line of this agent when Twilio is configured (queried again to renew the token). */
export const voiceLineProcedure = authedProcedure.query(({ ctx }) => agentVoiceLine(ctx, ctx.user.id));
