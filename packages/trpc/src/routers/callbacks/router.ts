import { listCallbackRequests, setCallbackHandled } from "@cac/core";
import { text } from "@cac/core/domain";
import { z } from "zod";
import { authedProcedure, router } from "../../trpc";

export const callbacksRouter = router({
  list: authedProcedure
    .input(
      z
        .object({
          onlyOpen: z.boolean().default(false),
          /** The `nextCursor` of the previous page; absent or null for the first page. */
          cursor: text().max(200).nullish(),
          limit: z.number().int().min(1).max(100).default(50),
        })
        .default({ onlyOpen: false, limit: 50 }),
    )
    .query(({ ctx, input }) => listCallbackRequests(ctx, ctx.account.id, input)),
  setHandled: authedProcedure
    .input(z.object({ id: z.uuid("This callback request does not exist."), handled: z.boolean() }))
    .mutation(({ ctx, input }) => setCallbackHandled(ctx, ctx.account.id, input.id, input.handled)),
});
