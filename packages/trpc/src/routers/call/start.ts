import { startCall } from "@cac/core";
import { widgetEntryProcedure } from "../../trpc";
import { startCallInput, startCallOutput } from "./call.schema";

export const startCallProcedure = widgetEntryProcedure("call", startCallInput)
  .output(startCallOutput)
  .mutation(({ ctx, input }) => startCall(ctx, ctx.button, ctx.visitorIp, input));
