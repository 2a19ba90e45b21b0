import { signup } from "@cac/core";
import { publicProcedure } from "../../trpc";
import { signupInput } from "./auth.schema";

export const signupProcedure = publicProcedure
  .input(signupInput)
  .mutation(({ ctx, input }) => signup(ctx, input));
