import { updateAccountTimezone } from "@cac/core";
import { adminProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import { updateTimezoneInput } from "./account.schema";

/** Owners and admins set the account's timezone (signup took the browser's). */
export const updateTimezoneProcedure = adminProcedure
  .input(updateTimezoneInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => updateAccountTimezone(ctx, ctx, input.timezone));
