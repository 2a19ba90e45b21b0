import { startCall } from "@cac/core";
import { widgetEntryProcedure } from "../../trpc";
import { startCallInput } from "./call.schema";

export const startCallProcedure = widgetEntryProcedure("call", startCallInput).mutation(({ ctx, input }) =>
  startCall(ctx, ctx.button, ctx.visitorIp, input),
);
