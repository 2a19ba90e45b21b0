import { emailSchema, embedPlatforms, text } from "@cac/core/domain";
import { z } from "zod";

/** "Email these instructions to my developer": which button, to whom, for which kind of site. */
export const emailInstructionsInput = z.object({
  id: z.uuid("This button does not exist."),
  to: emailSchema,
  platform: z.enum(embedPlatforms, "Choose the kind of site."),
  note: text().trim().max(500, "Keep the note under 500 characters.").optional(),
});

const installOrigin = z.object({
  origin: z.string(),
  host: z.string(),
  lastSeenAt: z.date(),
  refusedCount: z.number(),
});

/** Where each of the account's buttons was loaded from in the last 30 days (origins only). */
export const installsOutput = z.array(
  z.object({
    buttonId: z.string(),
    installed: z.array(installOrigin),
    refused: z.array(installOrigin),
  }),
);
