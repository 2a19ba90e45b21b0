import { currentNotice, dismissNotice, listNotices, publishNotice } from "@cac/core";
import { authedProcedure, operatorProcedure, router } from "../../trpc";
import { okOutput } from "../output.schema";
import { dismissNoticeInput, noticeOutput, noticesOutput, publishNoticeInput } from "./policy.schema";

export const policyRouter = router({
  /** Operators announce a privacy policy update to every account holder. */
  publish: operatorProcedure
    .input(publishNoticeInput)
    .output(noticeOutput)
    .mutation(({ ctx, input }) => publishNotice(ctx, input)),
  list: operatorProcedure.output(noticesOutput).query(({ ctx }) => listNotices(ctx)),
  /** The notice the portal's banner shows this user, or null. */
  current: authedProcedure
    .output(noticeOutput.nullable())
    .query(({ ctx }) => currentNotice(ctx, ctx.user.id)),
  dismiss: authedProcedure
    .input(dismissNoticeInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => dismissNotice(ctx, ctx.user.id, input.noticeId)),
});
