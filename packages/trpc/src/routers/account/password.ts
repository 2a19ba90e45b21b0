import { changePassword } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import { changePasswordInput } from "./account.schema";

export const changePasswordProcedure = authedProcedure
  .input(changePasswordInput)
  .output(okOutput)
  .mutation(({ ctx, input }) =>
    changePassword(
      ctx,
      {
        userId: ctx.user.id,
        email: ctx.user.email,
        passwordHash: ctx.user.passwordHash,
        sessionId: ctx.session.id,
      },
      input,
    ),
  );
