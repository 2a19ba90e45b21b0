import { callStatuses } from "@cac/db";
import { z } from "zod";
import { text } from "../../domain/validation";

export const CALL_LOG_PAGE_DEFAULT = 50;
export const CALL_LOG_PAGE_MAX = 200;

const bound = (field: "from" | "to") =>
  z.union(
    [
      z.date({ error: `The ${field} date is not a valid date.` }),
      // A calendar day in the account's timezone.
      z.iso.date(),
      // An exact instant; the offset is required so it never depends on the server's timezone.
      z.iso.datetime({ offset: true }),
    ],
    { error: `Use a date (YYYY-MM-DD) or a date and time with its offset for ${field}.` },
  );

/**
 * The filters shared by the call log's list, totals, charts and the CSV export.
 * - `from`: a date means that day's start in the account's timezone; an instant is inclusive.
 * - `to`: a date means the whole day is included (up to the next day's start in the account's
 *   timezone); an instant is exclusive.
 */
export const callLogFilterSchema = z.object({
  buttonId: z.uuid("This button does not exist or was deleted.").optional(),
  statuses: z
    .array(z.enum(callStatuses, { error: `A status is one of: ${callStatuses.join(", ")}.` }))
    .min(1, "Choose at least one status, or leave the status filter out.")
    .max(callStatuses.length)
    .optional(),
  from: bound("from").optional(),
  to: bound("to").optional(),
});

export type CallLogFilterInput = z.input<typeof callLogFilterSchema>;
export type CallLogFilter = z.output<typeof callLogFilterSchema>;

export const callLogListInput = callLogFilterSchema
  .extend({
    /** The `nextCursor` of the previous page; absent or null for the first page. */
    cursor: text().max(200).nullish(),
    limit: z.number().int().min(1).max(CALL_LOG_PAGE_MAX).default(CALL_LOG_PAGE_DEFAULT),
  })
  .prefault({});

export const callLogTotalsInput = callLogFilterSchema.default({});
export const callLogChartsInput = callLogFilterSchema.default({});
