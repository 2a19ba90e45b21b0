import { listCallbackRequests, setCallbackHandled } from "@cac/core";
import { authedProcedure, router } from "../../trpc";
import { okOutput } from "../output.schema";
import { callbacksPageOutput, listCallbacksInput, setHandledInput } from "./callbacks.schema";

export const callbacksRouter = router({
  list: authedProcedure
    .input(listCallbacksInput)
    .output(callbacksPageOutput)
    .query(({ ctx, input }) => listCallbackRequests(ctx, ctx.account.id, input)),
  setHandled: authedProcedure
    .input(setHandledInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => setCallbackHandled(ctx, ctx.account.id, input.id, input.handled)),
});
