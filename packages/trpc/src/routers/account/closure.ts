import { closeAccount, closureStatus, reopenAccount } from "@cac/core";
import { text } from "@cac/core/domain";
import { z } from "zod";
import { authedProcedure, ownerProcedure } from "../../trpc";

export const closeAccountInput = z.object({
  password: text().min(1, "Enter your password to close the account.").max(256),
});

/** Whether the account is closed and when it will be deleted (the portal's notice). */
export const closureProcedure = authedProcedure.query(({ ctx }) => closureStatus(ctx, ctx.account.id));

export const closeProcedure = ownerProcedure
  .input(closeAccountInput)
  .mutation(({ ctx, input }) => closeAccount(ctx, ctx, input));

export const reopenProcedure = ownerProcedure.mutation(({ ctx }) => reopenAccount(ctx, ctx));
