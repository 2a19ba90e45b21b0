import { currentNotice, dismissNotice, listNotices, publishNotice } from "@cac/core";
import { authedProcedure, operatorProcedure, router } from "../../trpc";
import { dismissNoticeInput, publishNoticeInput } from "./policy.schema";

export const policyRouter = router({
  /** Operators announce a privacy policy update to every account holder. */
  publish: operatorProcedure
    .input(publishNoticeInput)
    .mutation(({ ctx, input }) => publishNotice(ctx, input)),
  list: operatorProcedure.query(({ ctx }) => listNotices(ctx)),
  /** The notice the portal's banner shows this user, or null. */
  current: authedProcedure.query(({ ctx }) => currentNotice(ctx, ctx.user.id)),
  dismiss: authedProcedure
    .input(dismissNoticeInput)
    .mutation(({ ctx, input }) => dismissNotice(ctx, ctx.user.id, input.noticeId)),
});
