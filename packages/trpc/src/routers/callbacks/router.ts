import { listCallbackRequests, setCallbackHandled } from "@cac/core";
import { authedProcedure, router } from "../../trpc";
import { okOutput } from "../output.schema";
import { callbacksPageOutput, listCallbacksInput, setHandledInput } from "./callbacks.schema";
import {
  addCallbackNoteProcedure,
  assignCallbackProcedure,
  assigneesProcedure,
  callbackNotesProcedure,
  setCallbackStatusProcedure,
} from "./work";

export const callbacksRouter = router({
  list: authedProcedure
    .input(listCallbacksInput)
    .output(callbacksPageOutput)
    .query(({ ctx, input }) => {
      const { assignee, ...options } = input;
      return listCallbackRequests(ctx, ctx.account.id, {
        ...options,
        assignee:
          assignee === undefined
            ? undefined
            : assignee === "unassigned"
              ? { kind: "unassigned" }
              : { kind: "member", userId: assignee === "me" ? ctx.user.id : assignee },
      });
    }),
  setHandled: authedProcedure
    .input(setHandledInput)
    .output(okOutput)
    .mutation(({ ctx, input }) => setCallbackHandled(ctx, ctx.account.id, input.id, input.handled)),
  assignees: assigneesProcedure,
  assign: assignCallbackProcedure,
  setStatus: setCallbackStatusProcedure,
  notes: callbackNotesProcedure,
  addNote: addCallbackNoteProcedure,
});
