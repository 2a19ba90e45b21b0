import { blockIp, listIpBlocks, unblockIp } from "@cac/core";
import { z } from "zod";
import { adminProcedure } from "../../trpc";
import { blockIpInput, blockIpOutput, ipBlockOutput, unblockIpInput, unblockIpOutput } from "./abuse.schema";

// Owners' and admins' blocks from the call log; each applies to their own account only.

export const blockIpProcedure = adminProcedure
  .input(blockIpInput)
  .output(blockIpOutput)
  .mutation(({ ctx, input }) => blockIp(ctx, ctx.account.id, input));

export const unblockIpProcedure = adminProcedure
  .input(unblockIpInput)
  .output(unblockIpOutput)
  .mutation(({ ctx, input }) => unblockIp(ctx, ctx.account.id, input.ip));

export const listBlocksProcedure = adminProcedure
  .output(z.array(ipBlockOutput))
  .query(({ ctx }) => listIpBlocks(ctx, ctx.account.id));
