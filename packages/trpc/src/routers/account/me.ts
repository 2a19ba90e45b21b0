import { describeMe } from "../../services/account";
import { validateSession } from "../../services/sessions";
import { publicProcedure } from "../../trpc";

/** The signed-in user and account, or null when logged out (the portal decides where to go). */
export const meProcedure = publicProcedure.query(async ({ ctx }) => {
  const auth = await validateSession(ctx);
  return auth ? describeMe(ctx, auth) : null;
});
