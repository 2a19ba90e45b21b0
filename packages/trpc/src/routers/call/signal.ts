import { hangUp, visitorCall, visitorSignal } from "@cac/core";
import { text } from "@cac/core/domain";
import { widgetProcedure } from "../../trpc";
import { callEndOutput, okOutput } from "../output.schema";
import { signalPayloadSchema, visitorCallInput } from "./call.schema";

export const visitorSignalProcedure = widgetProcedure
  .input(visitorCallInput.extend({ payload: signalPayloadSchema }))
  .output(okOutput)
  .mutation(async ({ ctx, input }) => {
    const call = await visitorCall(ctx, ctx.button.id, input.sessionId, input.token);
    return visitorSignal(ctx, call, input.payload);
  });

export const visitorHangUpProcedure = widgetProcedure
  .input(visitorCallInput.extend({ reason: text().max(200).optional() }))
  .output(callEndOutput)
  .mutation(async ({ ctx, input }) => {
    const call = await visitorCall(ctx, ctx.button.id, input.sessionId, input.token);
    return hangUp(ctx, call.id, "visitor");
  });
