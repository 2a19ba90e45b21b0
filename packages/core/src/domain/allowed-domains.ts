/**
 * Allowed-domain patterns for a button: an exact host (`shop.example.com`) or a wildcard for
 * its subdomains (`*.example.com`, which does not match `example.com` itself).
 */
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Lower-cases and trims a pattern; strips a scheme, path or port pasted by mistake. */
export function normalizeDomainPattern(input: string): string {
  let value = input.trim().toLowerCase();
  value = value.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  value = value
    .replace(/[/?#].*$/, "")
    .replace(/:\d+$/, "")
    .replace(/\.$/, "");
  return value;
}

/** Null when valid, else why not. */
export function domainPatternProblem(pattern: string): string | null {
  if (pattern === "localhost") return null;
  const host = pattern.startsWith("*.") ? pattern.slice(2) : pattern;
  if (host.includes("*"))
    return `"${pattern}": a wildcard is only allowed as the first label, like *.example.com.`;
  if (!HOST.test(host)) return `"${pattern}" is not a domain name, like example.com or *.example.com.`;
  return null;
}

export function hostMatchesPattern(host: string, pattern: string): boolean {
  const h = host.toLowerCase();
  if (pattern.startsWith("*.")) return h.endsWith(pattern.slice(1)) && h.length > pattern.length - 1;
  return h === pattern;
}

/**
 * Whether a page origin may use the button. `localhost` (any port) is always allowed outside
 * production, so owners can try the snippet locally.
 */
export function isOriginAllowed(
  origin: string | undefined,
  patterns: readonly string[],
  production: boolean,
): boolean {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  const host = url.hostname;
  if (host === "localhost" && (!production || patterns.includes("localhost"))) return true;
  // Plain http is accepted only for localhost; real sites must be https in production.
  if (production && url.protocol !== "https:") return false;
  return patterns.some((pattern) => hostMatchesPattern(host, pattern));
}

/**
 * The allowed domains a new button starts with, from the website given at signup: its host and the
 * same with or without `www.`, so the snippet works on both at once. Empty for anything that is
 * not a public domain name (the owner then types their own).
 */
export function domainsOfWebsite(website: string | null | undefined): string[] {
  if (!website) return [];
  const host = normalizeDomainPattern(website);
  if (host === "localhost" || domainPatternProblem(host) !== null || host.startsWith("*.")) return [];
  const bare = host.startsWith("www.") ? host.slice(4) : host;
  // "www.co.uk"-like leftovers: keep only what is itself a valid name.
  if (domainPatternProblem(bare) !== null) return [host];
  return [bare, `www.${bare}`];
}
