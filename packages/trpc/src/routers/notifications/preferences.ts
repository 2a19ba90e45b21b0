import { getNotificationPreferences, updateNotificationPreferences } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { preferencesOutput, updatePreferencesInput } from "./notifications.schema";

/** The member's own choices in the current account. */
export const preferencesProcedure = authedProcedure
  .output(preferencesOutput)
  .query(({ ctx }) => getNotificationPreferences(ctx, ctx.account.id, ctx.user.id));

export const updatePreferencesProcedure = authedProcedure
  .input(updatePreferencesInput)
  .output(preferencesOutput)
  .mutation(({ ctx, input }) => updateNotificationPreferences(ctx, ctx.account.id, ctx.user.id, input));
