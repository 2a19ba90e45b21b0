import { text } from "@cac/core/domain";
import { z } from "zod";

export const publishNoticeInput = z.object({
  version: text()
    .trim()
    .min(1, "Enter a version, like 2026-06 or v2.")
    .max(40, "Keep the version to 40 characters or fewer.")
    .regex(/^[\w.\- ]+$/, "Use letters, digits, spaces, dots, dashes or underscores."),
  summary: text()
    .trim()
    .min(10, "Summarize what changed in at least 10 characters.")
    .max(500, "Keep the summary to 500 characters or fewer; the policy itself has the details."),
  // A policy takes effect on a day (YYYY-MM-DD), kept as midnight UTC.
  effectiveAt: z.iso
    .date({ error: "Enter the date the new policy takes effect, like 2026-06-01." })
    .transform((day) => new Date(`${day}T00:00:00Z`)),
});

export const dismissNoticeInput = z.object({ noticeId: z.uuid("This notice does not exist.") });

/** A privacy policy notice, as account holders and operators see it. */
export const noticeOutput = z.object({
  id: z.string(),
  version: z.string(),
  summary: z.string(),
  effectiveAt: z.date(),
  publishedAt: z.date(),
});

/** Every notice, newest first, with how many users dismissed it. */
export const noticesOutput = z.array(noticeOutput.extend({ dismissals: z.number() }));
