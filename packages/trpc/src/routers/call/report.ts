import { reportClientFailure, visitorCall } from "@cac/core";
import { text } from "@cac/core/domain";
import { widgetProcedure } from "../../trpc";
import { callEndOutput } from "../output.schema";
import { visitorCallInput } from "./call.schema";

/**
 * The widget could not set up the call on its side (e.g. the Twilio Voice SDK cannot reach
 * Twilio): the session is marked failed with the reason, unless it was already answered or ended.
 */
export const reportFailureProcedure = widgetProcedure
  .input(visitorCallInput.extend({ reason: text().trim().min(1).max(200) }))
  .output(callEndOutput)
  .mutation(async ({ ctx, input }) => {
    const call = await visitorCall(ctx, ctx.button.id, input.sessionId, input.token);
    return reportClientFailure(ctx, call.id, input.reason);
  });
