import { startCall } from "../../services/calls/start";
import { widgetProcedure } from "../../trpc";
import { startCallInput } from "./call.schema";

export const startCallProcedure = widgetProcedure
  .input(startCallInput)
  .mutation(({ ctx, input }) => startCall(ctx, ctx.button, ctx.visitorIp, input));
