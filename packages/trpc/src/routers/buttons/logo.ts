import { removeButtonLogo, toButtonView } from "@cac/core";
import { adminProcedure } from "../../trpc";
import { buttonIdInput, buttonOutput } from "./buttons.schema";

/** Uploads go through `POST /uploads/logo` (multipart); removing one is a plain mutation. */
export const removeLogoProcedure = adminProcedure
  .input(buttonIdInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await removeButtonLogo(ctx, ctx.account.id, input.id)),
  );
