import { login, logout } from "@cac/core";
import { authedProcedure, publicProcedure } from "../../trpc";
import { loginInput } from "./auth.schema";

export const loginProcedure = publicProcedure
  .input(loginInput)
  .mutation(({ ctx, input }) => login(ctx, input));

export const logoutProcedure = authedProcedure.mutation(({ ctx }) => logout(ctx, ctx.session.id));
