import { signup } from "@cac/core";
import { publicProcedure } from "../../trpc";
import { messageOutput } from "../output.schema";
import { signupInput } from "./auth.schema";

export const signupProcedure = publicProcedure
  .input(signupInput)
  .output(messageOutput)
  .mutation(({ ctx, input }) => signup(ctx, input));
