import { invalidateUserSessions, listSessions, revokeSession } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { revokeSessionInput } from "./account.schema";

export const listSessionsProcedure = authedProcedure.query(({ ctx }) => listSessions(ctx, ctx));

export const revokeSessionProcedure = authedProcedure
  .input(revokeSessionInput)
  .mutation(({ ctx, input }) => revokeSession(ctx, ctx, input.sessionId));

export const revokeOtherSessionsProcedure = authedProcedure.mutation(async ({ ctx }) => {
  await invalidateUserSessions(ctx, ctx.user.id, ctx.session.id);
  return { ok: true as const };
});
