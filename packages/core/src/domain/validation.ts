import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import { commonPasswords } from "./common-passwords";

/**
 * Whether the text holds a control character: C0 but tab and newline (and carriage return when
 * allowed), DEL or C1. PostgreSQL cannot store NUL in text at all, and the others only hide text
 * from the people reading it.
 */
export function hasControlCharacter(value: string, allowCarriageReturn = false): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 9 || code === 10 || (allowCarriageReturn && code === 13)) continue;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

export const CONTROL_CHARACTERS_MESSAGE =
  "Remove the invisible control characters from this text (only tabs and line breaks are allowed).";

/** The check every text input carries (a test finds it on every string of every procedure). */
export const noControlCharacters = z.refine<string>((value) => !hasControlCharacter(value, false), {
  message: CONTROL_CHARACTERS_MESSAGE,
});
/** The same, allowing carriage returns: for WebRTC session descriptions, whose lines end in CRLF. */
export const noControlCharactersButCr = z.refine<string>((value) => !hasControlCharacter(value, true), {
  message: CONTROL_CHARACTERS_MESSAGE,
});

/**
 * A text input: every string of a procedure's input starts here. It refuses control characters
 * other than tab and newline (a 400 with a message on the field, never a database error), before
 * trimming, so they are refused wherever they are. `allowCarriageReturn` is for SDP only.
 */
export function text(params?: { error?: string; allowCarriageReturn?: boolean }) {
  return z
    .string(params?.error ? { error: params.error } : undefined)
    .check(params?.allowCarriageReturn ? noControlCharactersButCr : noControlCharacters);
}

export const emailSchema = text()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long.")
  .pipe(z.email("Enter a valid email address, like name@company.com."));

export const PASSWORD_MIN_LENGTH = 10;

export const newPasswordSchema = text()
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

export const usPhoneSchema = text()
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
export const websiteUrlSchema = text()
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

export const personNameSchema = text()
  .trim()
  .min(1, "Enter your name.")
  .max(120, "Use at most 120 characters.");

export const companyNameSchema = text()
  .trim()
  .min(1, "Enter your company name.")
  .max(160, "Use at most 160 characters.");
