import { addCallNote, callWork, setCallTags, type WorkActor } from "@cac/core";
import { authedProcedure } from "../../trpc";
import { workNoteOutput } from "../output.schema";
import {
  addCallNoteInput,
  callIdInput,
  callTagsOutput,
  callWorkOutput,
  setCallTagsInput,
} from "./call-log.schema";

// Every member reads a call's notes and tags; the service lets only whoever answered the call, or
// an owner or admin, change them (FORBIDDEN otherwise).

function actorOf(ctx: { account: { id: string }; user: { id: string; role: string } }): WorkActor {
  return { accountId: ctx.account.id, userId: ctx.user.id, role: ctx.user.role };
}

export const callWorkProcedure = authedProcedure
  .input(callIdInput)
  .output(callWorkOutput)
  .query(({ ctx, input }) => callWork(ctx, actorOf(ctx), input.id));

export const setCallTagsProcedure = authedProcedure
  .input(setCallTagsInput)
  .output(callTagsOutput)
  .mutation(({ ctx, input }) => setCallTags(ctx, actorOf(ctx), input.id, input.tags));

export const addCallNoteProcedure = authedProcedure
  .input(addCallNoteInput)
  .output(workNoteOutput)
  .mutation(({ ctx, input }) => addCallNote(ctx, actorOf(ctx), input.id, input.body));
