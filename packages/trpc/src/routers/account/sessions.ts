import { invalidateUserSessions, listSessions, revokeSession } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import { revokeSessionInput, revokeSessionOutput, sessionsOutput } from "./account.schema";

export const listSessionsProcedure = authedProcedure
  .output(sessionsOutput)
  .query(({ ctx }) => listSessions(ctx, ctx));

export const revokeSessionProcedure = authedProcedure
  .input(revokeSessionInput)
  .output(revokeSessionOutput)
  .mutation(({ ctx, input }) => revokeSession(ctx, ctx, input.sessionId));

export const revokeOtherSessionsProcedure = authedProcedure.output(okOutput).mutation(async ({ ctx }) => {
  await invalidateUserSessions(ctx, ctx.user.id, ctx.session.id);
  return { ok: true as const };
});
