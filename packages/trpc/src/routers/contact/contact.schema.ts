import { emailSchema, personNameSchema, text, websiteUrlSchema } from "@cac/core/domain";
import { z } from "zod";

const blankToUndefined = (value: unknown) =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

export const contactInput = z.object({
  name: personNameSchema,
  email: emailSchema,
  company: z.preprocess(blankToUndefined, text().trim().max(160, "Use at most 160 characters.").optional()),
  website: z.preprocess(blankToUndefined, websiteUrlSchema.optional()),
  message: text().trim().min(1, "Write your message.").max(5000, "Use at most 5,000 characters."),
  /** The Turnstile token, required when the captcha is on. */
  captchaToken: text().max(4096).optional(),
});

export type ContactInput = z.infer<typeof contactInput>;

/** The message was stored; `email` is where the reply will go. */
export const contactOutput = z.object({ ok: z.literal(true), email: z.string() });
