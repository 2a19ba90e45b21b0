import { blockIp, listIpBlocks, unblockIp } from "@cac/core";
import { z } from "zod";
import { ownerProcedure } from "../../trpc";
import { blockIpInput, blockIpOutput, ipBlockOutput, unblockIpInput, unblockIpOutput } from "./abuse.schema";

// The owner's blocks from the call log; each applies to the owner's own account only.

export const blockIpProcedure = ownerProcedure
  .input(blockIpInput)
  .output(blockIpOutput)
  .mutation(({ ctx, input }) => blockIp(ctx, ctx.account.id, input));

export const unblockIpProcedure = ownerProcedure
  .input(unblockIpInput)
  .output(unblockIpOutput)
  .mutation(({ ctx, input }) => unblockIp(ctx, ctx.account.id, input.ip));

export const listBlocksProcedure = ownerProcedure
  .output(z.array(ipBlockOutput))
  .query(({ ctx }) => listIpBlocks(ctx, ctx.account.id));
