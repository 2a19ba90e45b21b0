/**
 * What may leave the portal in an analytics event: the same properties minus anything that could
 * identify a person. Pure functions, so they are tested without the PostHog SDK.
 */

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };
export type Props = Record<string, unknown>;

/** Properties never sent, whatever their value: identities, typed or displayed text, elements. */
const deniedKeys = new Set([
  "email",
  "$email",
  "name",
  "$name",
  "first_name",
  "last_name",
  "company",
  "company_name",
  "companyName",
  "phone",
  "phone_number",
  "label",
  // The page title names what is open, e.g. the button being edited.
  "title",
  "$title",
  "$el_text",
  "$elements",
  "$elements_chain",
  "$set",
  "$set_once",
  "$anon_distinct_id",
  "$user_id",
]);

const emailPattern = /[^\s@/?#&=]+@[^\s@/?#&=]+\.[^\s@/?#&=]+/;
// A US phone number written any common way: (202) 555-0143, 202-555-0143, +12025550143.
const phonePattern = /(?<!\d)(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/;
const ipv4Pattern = /\b(?:\d{1,3}\.){3}\d{1,3}\b/;

/**
 * A URL or path without its query string and fragment: emailed links carry their tokens there
 * (/verify-email?token=…, /reset-password?token=…), and nothing else the portal puts there is needed.
 */
export function stripUrl(value: string): string {
  const cut = value.search(/[?#]/);
  return cut === -1 ? value : value.slice(0, cut);
}

function looksLikeUrl(value: string): boolean {
  return /^(https?:)?\/\//i.test(value) || value.startsWith("/");
}

/** A string that must not be sent at all (it holds an email, phone number or IP address). */
function isPersonal(value: string): boolean {
  return emailPattern.test(value) || phonePattern.test(value) || ipv4Pattern.test(value);
}

function cleanValue(value: unknown): Json | typeof DROP {
  if (typeof value === "string") {
    const cleaned = looksLikeUrl(value) ? stripUrl(value) : value;
    return isPersonal(cleaned) ? DROP : cleaned;
  }
  if (Array.isArray(value)) return value.map(cleanValue).filter((v): v is Json => v !== DROP);
  if (value && typeof value === "object") return sanitizeProperties(value as Props) as Json;
  if (typeof value === "number" || typeof value === "boolean" || value == null) return value;
  return DROP;
}

const DROP = Symbol("drop");

/**
 * The event's properties made anonymous: `$ip` is null (PostHog then stores no address for the
 * event), personal keys are gone, URLs lose their query strings, and any value holding an email,
 * phone number or IP address is dropped.
 */
export function sanitizeProperties(properties: Props): Props {
  const out: Props = {};
  for (const [key, value] of Object.entries(properties)) {
    if (deniedKeys.has(key) || key === "$ip") continue;
    const cleaned = cleanValue(value);
    if (cleaned !== DROP) out[key] = cleaned;
  }
  return out;
}

/** Top-level event properties: sanitized, with `$ip` explicitly null. */
export function sanitizeEventProperties(properties: Props): Props {
  return { ...sanitizeProperties(properties), $ip: null };
}
