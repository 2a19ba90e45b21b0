import { requestPasswordReset, resetPassword } from "@cac/core";
import { publicProcedure } from "../../trpc";
import { messageOutput, okOutput } from "../output.schema";
import { requestResetInput, resetPasswordInput } from "./auth.schema";

export const requestPasswordResetProcedure = publicProcedure
  .input(requestResetInput)
  .output(messageOutput)
  .mutation(({ ctx, input }) => requestPasswordReset(ctx, input.email));

export const resetPasswordProcedure = publicProcedure
  .input(resetPasswordInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => resetPassword(ctx, input));
