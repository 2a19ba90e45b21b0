import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import { commonPasswords } from "./common-passwords";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long.")
  .pipe(z.email("Enter a valid email address, like name@company.com."));

export const PASSWORD_MIN_LENGTH = 10;

export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(256, "Use at most 256 characters.")
  .refine((value) => !commonPasswords.has(value.toLowerCase()), {
    message: "This password is too common. Choose one that is harder to guess.",
  });

/** Parses a US phone number in any common format and returns it as E.164 (+1XXXXXXXXXX). */
export function normalizeUsPhone(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), "US");
  if (parsed?.countryCallingCode !== "1" || parsed.country !== "US") return null;
  if (!parsed.isValid()) return null;
  return parsed.number;
}

export const usPhoneSchema = z
  .string()
  .trim()
  .min(1, "Enter a phone number.")
  .max(32, "Enter a phone number.")
  .transform((value, ctx) => {
    const normalized = normalizeUsPhone(value);
    if (!normalized) {
      ctx.addIssue({
        code: "custom",
        message: "Enter a valid US phone number, like (202) 555-0123 or +1 202 555 0123.",
      });
      return z.NEVER;
    }
    return normalized;
  });

/** A public website URL; a bare host gets https:// in front. */
export const websiteUrlSchema = z
  .string()
  .trim()
  .min(1, "Enter your website address.")
  .max(2048, "This address is too long.")
  .transform((value, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? value : `https://${value}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a valid website address, like acme.com." });
      return z.NEVER;
    }
    const hostOk = /^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/i.test(url.hostname);
    if ((url.protocol !== "https:" && url.protocol !== "http:") || !hostOk || url.username) {
      ctx.addIssue({ code: "custom", message: "Enter a valid website address, like acme.com." });
      return z.NEVER;
    }
    return url.toString();
  });

export const personNameSchema = z
  .string()
  .trim()
  .min(1, "Enter your name.")
  .max(120, "Use at most 120 characters.");

export const companyNameSchema = z
  .string()
  .trim()
  .min(1, "Enter your company name.")
  .max(160, "Use at most 160 characters.");
