import { addManualBlock, clearFlag, listFlags, listSecurityEvents } from "@cac/core";
import { operatorProcedure } from "../../trpc";
import {
  addBlockInput,
  addBlockOutput,
  clearFlagInput,
  clearFlagOutput,
  eventsPageOutput,
  flagsPageOutput,
  listEventsInput,
  listFlagsInput,
} from "./abuse.schema";

// Click & Call's operators: every flag and block, and the security events by IP.

export const listFlagsProcedure = operatorProcedure
  .input(listFlagsInput)
  .output(flagsPageOutput)
  .query(({ ctx, input }) => listFlags(ctx, input));

export const clearFlagProcedure = operatorProcedure
  .input(clearFlagInput)
  .output(clearFlagOutput)
  .mutation(({ ctx, input }) => clearFlag(ctx, input.id, ctx.user));

export const addBlockProcedure = operatorProcedure
  .input(addBlockInput)
  .output(addBlockOutput)
  .mutation(({ ctx, input }) => addManualBlock(ctx, input, ctx.user));

export const listEventsProcedure = operatorProcedure
  .input(listEventsInput)
  .output(eventsPageOutput)
  .query(({ ctx, input }) => listSecurityEvents(ctx, input));
