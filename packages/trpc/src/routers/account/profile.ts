import { updateProfile } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import { updateProfileInput } from "./account.schema";

export const updateProfileProcedure = authedProcedure
  .input(updateProfileInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => updateProfile(ctx, ctx, input));
