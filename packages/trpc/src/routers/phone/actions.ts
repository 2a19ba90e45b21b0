import {
  agentAvailability,
  agentHangUp,
  agentSignal,
  agentVoiceLine,
  announcePresence,
  answerCall,
  callIceConfig,
  callState,
  declineCall,
  getMemberHours,
  presenceChanged,
  setAgentAvailable,
  setMemberHours,
} from "@cac/core";
import { authedProcedure } from "../../trpc";
import { callEndOutput, okOutput } from "../output.schema";
import {
  agentSignalInput,
  answerOutput,
  availabilityInput,
  availabilityOutput,
  callIdInput,
  callStateOutput,
  memberHoursInput,
  memberHoursOutput,
  myAvailabilityOutput,
  sessionIdInput,
  voiceLineOutput,
} from "./phone.schema";

export const setAvailableProcedure = authedProcedure
  .input(availabilityInput)
  .output(availabilityOutput)
  .mutation(async ({ ctx, input }) => {
    const result = await setAgentAvailable(ctx, ctx.user.id, input.available, ctx.account.id);
    await presenceChanged(ctx, ctx.account.id);
    await announcePresence(ctx, ctx.account.id, [ctx.user.id]);
    return result;
  });

/** The member's availability as the server holds it (every tab and browser shows the same). */
export const myAvailabilityProcedure = authedProcedure
  .output(myAvailabilityOutput)
  .query(async ({ ctx }) => ({
    ...(await agentAvailability(ctx, ctx.account.id, ctx.user.id)),
    ...(await getMemberHours(ctx, ctx.account.id, ctx.user.id)),
  }));

/** The member's own working hours in the active account (null: the switch alone decides). */
export const setHoursProcedure = authedProcedure
  .input(memberHoursInput)
  .output(memberHoursOutput)
  .mutation(async ({ ctx, input }) => {
    const hours = await setMemberHours(ctx, ctx.account.id, ctx.user.id, input.hours);
    await announcePresence(ctx, ctx.account.id, [ctx.user.id]);
    return hours;
  });

export const answerProcedure = authedProcedure
  .input(sessionIdInput)
  .output(answerOutput)
  .mutation(async ({ ctx, input }) => {
    // The plan's time limit (or the minutes left) is stored with the answer: the server ends the call there.
    const { call, maxCallSeconds } = await answerCall(ctx, ctx.account.id, ctx.user.id, input.sessionId);
    return { sessionId: call.id, ...callIceConfig(ctx, call.id), maxCallSeconds };
  });

export const declineProcedure = authedProcedure
  .input(sessionIdInput)
  .output(callEndOutput)
  .mutation(({ ctx, input }) => declineCall(ctx, ctx.account.id, input.sessionId, ctx.user.id));

export const agentSignalProcedure = authedProcedure
  .input(agentSignalInput)
  .output(okOutput)
  .mutation(({ ctx, input }) =>
    agentSignal(ctx, ctx.account.id, ctx.user.id, input.sessionId, input.payload),
  );

export const agentHangUpProcedure = authedProcedure
  .input(sessionIdInput)
  .output(callEndOutput)
  .mutation(({ ctx, input }) => agentHangUp(ctx, ctx.account.id, input.sessionId));

/** The Voice SDK line of this agent when Twilio is configured (queried again to renew the token). */
export const voiceLineProcedure = authedProcedure
  .output(voiceLineOutput)
  .query(({ ctx }) => agentVoiceLine(ctx, ctx.user.id));

/** A call the member opened from a notification: answer it if it still rings for them, else say why not. */
export const callStateProcedure = authedProcedure
  .input(callIdInput)
  .output(callStateOutput)
  .query(({ ctx, input }) => callState(ctx, ctx.account.id, ctx.user.id, input.callId));
