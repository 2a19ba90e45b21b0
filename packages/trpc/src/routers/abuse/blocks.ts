import { blockIp, listIpBlocks, unblockIp } from "@cac/core";
import { ownerProcedure } from "../../trpc";
import { blockIpInput, unblockIpInput } from "./abuse.schema";

// The owner's blocks from the call log; each applies to the owner's own account only.

export const blockIpProcedure = ownerProcedure
  .input(blockIpInput)
  .mutation(({ ctx, input }) => blockIp(ctx, ctx.account.id, input));

export const unblockIpProcedure = ownerProcedure
  .input(unblockIpInput)
  .mutation(({ ctx, input }) => unblockIp(ctx, ctx.account.id, input.ip));

export const listBlocksProcedure = ownerProcedure.query(({ ctx }) => listIpBlocks(ctx, ctx.account.id));
