import { describeMe, validateSession } from "@cac/core";
import { publicProcedure } from "../../trpc";
import { meOutput } from "./account.schema";

/** The signed-in user and account, or null when logged out (the portal decides where to go). */
export const meProcedure = publicProcedure.output(meOutput).query(async ({ ctx }) => {
  const auth = await validateSession(ctx);
  return auth ? describeMe(ctx, auth, auth.accountVerified) : null;
});
