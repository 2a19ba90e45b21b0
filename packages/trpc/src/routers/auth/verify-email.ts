import { resendVerification, verifyEmail } from "@cac/core";
import { authedProcedure, publicProcedure } from "../../trpc";
import { tokenInput } from "./auth.schema";

export const verifyEmailProcedure = publicProcedure
  .input(tokenInput)
  .mutation(({ ctx, input }) => verifyEmail(ctx, input.token));

export const resendVerificationProcedure = authedProcedure.mutation(({ ctx }) =>
  resendVerification(ctx, ctx.user),
);
