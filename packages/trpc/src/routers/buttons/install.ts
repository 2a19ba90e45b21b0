import { emailInstallInstructions, listInstalls } from "@cac/core";
import { adminProcedure, authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import { emailInstructionsInput, installsOutput } from "./install.schema";

/** The install status of every button of the account: the sites it was seen on, allowed or not. */
export const installsProcedure = authedProcedure
  .output(installsOutput)
  .query(({ ctx }) => listInstalls(ctx, ctx.account.id));

/** Emails a button's install instructions to a developer, saying who sent them. */
export const emailInstructionsProcedure = adminProcedure
  .input(emailInstructionsInput)
  .output(okOutput)
  .mutation(({ ctx, input }) =>
    emailInstallInstructions(
      ctx,
      {
        accountId: ctx.account.id,
        userId: ctx.user.id,
        name: ctx.user.name,
        email: ctx.user.email,
        companyName: ctx.account.companyName,
      },
      { buttonId: input.id, to: input.to, platform: input.platform, note: input.note },
    ),
  );
