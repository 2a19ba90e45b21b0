import { closeAccount, closureStatus, reopenAccount } from "@cac/core";
import { text } from "@cac/core/domain";
import { z } from "zod";
import { authedProcedure, ownerProcedure } from "../../trpc";
import { closureOutput } from "./account.schema";

export const closeAccountInput = z.object({
  password: text().min(1, "Enter your password to close the account.").max(256),
});

/** Whether the account is closed and when it will be deleted (the portal's notice). */
export const closureProcedure = authedProcedure
  .output(closureOutput)
  .query(({ ctx }) => closureStatus(ctx, ctx.account.id));

export const closeProcedure = ownerProcedure
  .input(closeAccountInput)
  .output(closureOutput)
  .mutation(({ ctx, input }) => closeAccount(ctx, ctx, input));

export const reopenProcedure = ownerProcedure
  .output(closureOutput)
  .mutation(({ ctx }) => reopenAccount(ctx, ctx));
