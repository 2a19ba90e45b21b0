import { requestPasswordReset, resetPassword } from "@cac/core";
import { publicProcedure } from "../../trpc";
import { requestResetInput, resetPasswordInput } from "./auth.schema";

export const requestPasswordResetProcedure = publicProcedure
  .input(requestResetInput)
  .mutation(({ ctx, input }) => requestPasswordReset(ctx, input.email));

export const resetPasswordProcedure = publicProcedure
  .input(resetPasswordInput)
  .mutation(({ ctx, input }) => resetPassword(ctx, input));
