import { callbackWorkStatuses, noteBodySchema, text } from "@cac/core/domain";
import { z } from "zod";
import { memberRefOutput, workNoteOutput } from "../output.schema";

const requestId = z.uuid("This callback request does not exist.");

export const listCallbacksInput = z
  .object({
    /** Only requests not done yet. */
    onlyOpen: z.boolean().default(false),
    statuses: z
      .array(z.enum(callbackWorkStatuses, { error: "A status is one of: new, assigned, done." }))
      .max(callbackWorkStatuses.length)
      .optional(),
    /** Whose requests: nobody's yet, the viewer's ("me"), or one member's (their id). */
    assignee: z
      .union([z.literal("unassigned"), z.literal("me"), z.uuid("Choose a member of your team.")], {
        error: "Choose a member of your team, “me” or “unassigned”.",
      })
      .optional(),
    /** The `nextCursor` of the previous page; absent or null for the first page. */
    cursor: text().max(200).nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ onlyOpen: false, limit: 50 });

export const setHandledInput = z.object({
  id: requestId,
  handled: z.boolean(),
});

export const callbackIdInput = z.object({ id: requestId });

export const assignCallbackInput = z.object({
  id: requestId,
  /** A member of the account, or null to take it from whoever has it. */
  assigneeId: z.uuid("Choose a member of your team.").nullable(),
});

export const setCallbackStatusInput = z.object({
  id: requestId,
  /** `assigned` is reached by assigning someone. */
  status: z.enum(["new", "done"], { error: "Mark the request done, or reopen it as new." }),
});

export const addCallbackNoteInput = z.object({ id: requestId, body: noteBodySchema });

const workStatusOutput = z.enum(callbackWorkStatuses);

/** One page of the account's callback requests, newest first. */
export const callbacksPageOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      /** Null once the button was deleted. */
      buttonId: z.string().nullable(),
      name: z.string(),
      phone: z.string(),
      message: z.string().nullable(),
      /** The language the widget spoke ("en" | "es"), null when it did not say. */
      language: z.string().nullable(),
      status: workStatusOutput,
      assignee: memberRefOutput.nullable(),
      noteCount: z.number(),
      handledAt: z.date().nullable(),
      createdAt: z.date(),
      /** Where the visit came from, and its campaign (null when the widget sent nothing). */
      source: z.string().nullable(),
      utmCampaign: z.string().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

/** The request's work state after a change. */
export const callbackWorkOutput = z.object({
  id: z.string(),
  status: workStatusOutput,
  assignee: memberRefOutput.nullable(),
  handledAt: z.date().nullable(),
});

export const callbackNotesOutput = z.object({ items: z.array(workNoteOutput) });

/** Who a request may be assigned to: the account's members. */
export const assigneesOutput = z.object({ items: z.array(memberRefOutput) });
