import { login, logout } from "@cac/core";
import { authedProcedure, publicProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import { loginInput } from "./auth.schema";

export const loginProcedure = publicProcedure
  .input(loginInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => login(ctx, input));

export const logoutProcedure = authedProcedure
  .output(okOutput)
  .mutation(({ ctx }) => logout(ctx, ctx.session.id));
