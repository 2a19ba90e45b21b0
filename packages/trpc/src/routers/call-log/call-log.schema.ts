import { callLogFilterSchema } from "@cac/core";
import { text } from "@cac/core/domain";
import { z } from "zod";

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
