import { z } from "zod";
import { text } from "./validation";

/** The zone an account starts with when signup did not give one the server knows. */
export const DEFAULT_ACCOUNT_TIMEZONE = "America/New_York";

let supported: Set<string> | undefined;

/**
 * The IANA name this runtime gives a zone (`Asia/Calcutta` → `Asia/Kolkata` or the reverse, as its
 * ICU has it), or null when it is not one of `Intl.supportedValuesOf("timeZone")`. A browser may
 * report an alias its own list does not hold; both sides compare canonical names.
 */
export function canonicalTimeZone(zone: string): string | null {
  // UTC is a zone every runtime knows, though V8's list leaves it out.
  supported ??= new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);
  if (supported.has(zone)) return zone;
  try {
    const resolved = new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
    return supported.has(resolved) ? resolved : null;
  } catch {
    return null;
  }
}

/** An account's timezone: one of the runtime's zones, stored by its canonical name. */
export const accountTimezoneSchema = text()
  .trim()
  .max(64)
  .transform((zone, ctx) => {
    const canonical = canonicalTimeZone(zone);
    if (canonical) return canonical;
    ctx.addIssue({ code: "custom", message: "Choose a timezone from the list, like America/Chicago." });
    return z.NEVER;
  });
