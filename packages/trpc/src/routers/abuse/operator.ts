import { addManualBlock, clearFlag, listFlags, listSecurityEvents } from "@cac/core";
import { operatorProcedure } from "../../trpc";
import { addBlockInput, clearFlagInput, listEventsInput, listFlagsInput } from "./abuse.schema";

// Click & Call's operators: every flag and block, and the security events by IP.

export const listFlagsProcedure = operatorProcedure
  .input(listFlagsInput)
  .query(({ ctx, input }) => listFlags(ctx, input));

export const clearFlagProcedure = operatorProcedure
  .input(clearFlagInput)
  .mutation(({ ctx, input }) => clearFlag(ctx, input.id, ctx.user));

export const addBlockProcedure = operatorProcedure
  .input(addBlockInput)
  .mutation(({ ctx, input }) => addManualBlock(ctx, input, ctx.user));

export const listEventsProcedure = operatorProcedure
  .input(listEventsInput)
  .query(({ ctx, input }) => listSecurityEvents(ctx, input));
