import { callLogFilterSchema } from "@cac/core";
import { noteBodySchema, tagListSchema, text } from "@cac/core/domain";
import { z } from "zod";
import {
  callButtonOutput,
  callStatusOutput,
  callTransportOutput,
  memberRefOutput,
  workNoteOutput,
} from "../output.schema";

export const CALL_LOG_PAGE_DEFAULT = 50;
export const CALL_LOG_PAGE_MAX = 200;

export const callLogListInput = callLogFilterSchema
  .extend({
    /** The `nextCursor` of the previous page; absent or null for the first page. */
    cursor: text().max(200).nullish(),
    limit: z.number().int().min(1).max(CALL_LOG_PAGE_MAX).default(CALL_LOG_PAGE_DEFAULT),
  })
  .prefault({});

export const callLogTotalsInput = callLogFilterSchema.default({});
export const callLogChartsInput = callLogFilterSchema.default({});

/** One page of the call log, newest first; times are shown in the account's `timezone`. */
export const callLogPageOutput = z.object({
  timezone: z.string(),
  items: z.array(
    z.object({
      id: z.string(),
      startedAt: z.date(),
      button: callButtonOutput,
      durationSeconds: z.number(),
      status: callStatusOutput,
      transport: callTransportOutput,
      visitorIp: z.string().nullable(),
      pageUrl: z.string().nullable(),
      failureReason: z.string().nullable(),
      answeredBy: z.string().nullable(),
      tags: z.array(z.string()),
      hasNotes: z.boolean(),
      test: z.boolean(),
      /** The language the widget spoke ("en" | "es"), null when it did not say. */
      language: z.string().nullable(),
      source: z.string().nullable(),
      campaign: z.string().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

/** The range whose sources and campaigns the filters offer. */
export const callLogContextOptionsInput = callLogFilterSchema.pick({ from: true, to: true }).default({});

export const callLogContextOptionsOutput = z.object({
  sources: z.array(z.string()),
  campaigns: z.array(z.string()),
});

const callId = z.uuid("This call does not exist.");

export const callIdInput = z.object({ id: callId });
export const setCallTagsInput = z.object({ id: callId, tags: tagListSchema });
export const addCallNoteInput = z.object({ id: callId, body: noteBodySchema });

/** A call's notes and tags, who answered it, and whether the viewer may edit them. */
export const callWorkOutput = z.object({
  id: z.string(),
  answeredBy: memberRefOutput.nullable(),
  tags: z.array(z.string()),
  notes: z.array(workNoteOutput),
  canEdit: z.boolean(),
});

export const callTagsOutput = z.object({ id: z.string(), tags: z.array(z.string()) });

export const callLogTotalsOutput = z.object({
  timezone: z.string(),
  calls: z.number(),
  answered: z.number(),
  answerRate: z.number().nullable(),
  totalDurationSeconds: z.number(),
  avgDurationSeconds: z.number().nullable(),
  minutes: z.number(),
});

/** One entry per local day in every array (uPlot's data layout). */
export const callLogChartsOutput = z.object({
  timezone: z.string(),
  from: z.string(),
  to: z.string(),
  days: z.array(z.string()),
  dayStarts: z.array(z.number()),
  calls: z.array(z.number()),
  minutes: z.array(z.number()),
  answerRate: z.array(z.number().nullable()),
});

/** The account's calls not yet ended. */
export const liveCallsOutput = z.object({
  timezone: z.string(),
  items: z.array(
    z.object({
      id: z.string(),
      startedAt: z.date(),
      answeredAt: z.date().nullable(),
      status: callStatusOutput,
      transport: callTransportOutput,
      button: callButtonOutput,
      visitorIp: z.string().nullable(),
      pageUrl: z.string().nullable(),
    }),
  ),
});

export const callLogSourcesInput = callLogFilterSchema.default({});

const sourceCountOutput = { calls: z.number(), answered: z.number(), answerRate: z.number() };

/** The top pages and sources of the filtered calls ("Where calls come from"), most calls first. */
export const callLogSourcesOutput = z.object({
  byPage: z.array(z.object({ page: z.string().nullable(), ...sourceCountOutput })),
  bySource: z.array(z.object({ source: z.string().nullable(), ...sourceCountOutput })),
});
