import {
  accountTimezoneSchema,
  companyNameSchema,
  emailSchema,
  newPasswordSchema,
  personNameSchema,
  text,
  usPhoneSchema,
  websiteUrlSchema,
} from "@cac/core/domain";
import { z } from "zod";

export const signupInput = z.object({
  name: personNameSchema,
  email: emailSchema,
  companyName: companyNameSchema,
  websiteUrl: websiteUrlSchema,
  phone: usPhoneSchema,
  password: newPasswordSchema,
  ageConfirmed: z.literal(true, "You must confirm that you are 18 or older."),
  /** The browser's timezone, the account's until an owner or admin changes it. */
  timezone: accountTimezoneSchema.optional(),
  /** The Turnstile token, required when the captcha is on. */
  captchaToken: text().max(4096).optional(),
});

export const loginInput = z.object({
  email: emailSchema,
  password: text().min(1, "Enter your password.").max(256, "Enter your password."),
  /** The Turnstile token, asked for once the account has had many attempts (CAPTCHA_FAILED). */
  captchaToken: text().max(4096).optional(),
});

export const tokenInput = z.object({ token: text().min(10, "This link is incomplete.").max(200) });

export const requestResetInput = z.object({ email: emailSchema });

export const resetPasswordInput = z.object({
  token: text().min(10, "This link is incomplete.").max(200),
  password: newPasswordSchema,
});

export const verifyEmailOutput = z.object({ verified: z.literal(true) });

/** `sent` is false when the address was confirmed already. */
export const resendVerificationOutput = z.object({ sent: z.boolean() });
