import { startCall } from "@cac/core";
import { widgetEntryProcedure } from "../../trpc";
import { startCallInput, startCallOutput } from "./call.schema";

export const startCallProcedure = widgetEntryProcedure("call", startCallInput)
  .output(startCallOutput)
  .mutation(({ ctx, input }) => {
    // Read with the button by the widget tier of this entry point (services/widget-visit.ts).
    if (!ctx.visit?.call) throw new Error("calls.start runs only as the call entry point");
    return startCall(ctx, ctx.button, ctx.visitorIp, { ...input, test: ctx.tryPage }, ctx.visit.call);
  });
