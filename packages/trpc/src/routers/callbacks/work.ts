import { addCallbackNote, assignCallback, callbackNotesOf, memberNames, setCallbackStatus } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { workNoteOutput } from "../output.schema";
import {
  addCallbackNoteInput,
  assignCallbackInput,
  assigneesOutput,
  callbackIdInput,
  callbackNotesOutput,
  callbackWorkOutput,
  setCallbackStatusInput,
} from "./callbacks.schema";

// Handling callbacks is every member's work (owners, admins and agents alike): each procedure is
// scoped to the session's account, and an assignee must be a member of it.

export const assigneesProcedure = authedProcedure.output(assigneesOutput).query(async ({ ctx }) => ({
  items: (await memberNames(ctx, ctx.account.id)).map(({ id, name }) => ({ id, name })),
}));

export const assignCallbackProcedure = authedProcedure
  .input(assignCallbackInput)
  .output(callbackWorkOutput)
  .mutation(({ ctx, input }) => assignCallback(ctx, ctx.account.id, input.id, input.assigneeId));

export const setCallbackStatusProcedure = authedProcedure
  .input(setCallbackStatusInput)
  .output(callbackWorkOutput)
  .mutation(({ ctx, input }) => setCallbackStatus(ctx, ctx.account.id, input.id, input.status));

export const callbackNotesProcedure = authedProcedure
  .input(callbackIdInput)
  .output(callbackNotesOutput)
  .query(async ({ ctx, input }) => ({ items: await callbackNotesOf(ctx, ctx.account.id, input.id) }));

export const addCallbackNoteProcedure = authedProcedure
  .input(addCallbackNoteInput)
  .output(workNoteOutput)
  .mutation(({ ctx, input }) =>
    addCallbackNote(
      ctx,
      { accountId: ctx.account.id, userId: ctx.user.id, role: ctx.user.role },
      input.id,
      input.body,
    ),
  );
