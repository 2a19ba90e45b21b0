import { updateProfile } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { updateProfileInput } from "./account.schema";

export const updateProfileProcedure = authedProcedure
  .input(updateProfileInput)
  .mutation(({ ctx, input }) => updateProfile(ctx, ctx, input));
