import { resendVerification, verifyEmail } from "@cac/core";
import { authedProcedure, publicProcedure } from "../../trpc";
import { resendVerificationOutput, tokenInput, verifyEmailOutput } from "./auth.schema";

export const verifyEmailProcedure = publicProcedure
  .input(tokenInput)
  .output(verifyEmailOutput)
  .mutation(({ ctx, input }) => verifyEmail(ctx, input.token));

export const resendVerificationProcedure = authedProcedure
  .output(resendVerificationOutput)
  .mutation(({ ctx }) => resendVerification(ctx, ctx.user));
