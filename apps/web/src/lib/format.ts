const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

/**
 * The portal shows one account at a time, and its dates are read in that account's timezone
 * (Account → Timezone), not the browser's: the app layout sets it here once the account is known.
 */
let dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
let portalTimeZone: string | undefined;

export function setPortalTimeZone(timeZone: string) {
  if (timeZone === portalTimeZone) return;
  try {
    dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", timeZone });
    portalTimeZone = timeZone;
  } catch {
    // A zone this browser does not know: its own zone rather than a broken page.
  }
}

/** A moment in the account's timezone: "Mar 4, 2026, 2:05 PM". */
export function formatDateTime(date: Date): string {
  return dateTime.format(date);
}

/** "5 minutes ago", "yesterday": for timestamps people compare to now. */
export function formatRelative(date: Date, now: Date = new Date()): string {
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 60) return "just now";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  if (abs < 30 * 86_400) return relative.format(Math.round(seconds / 86_400), "day");
  return formatDateTime(date);
}

/** A readable device name from a user agent: "Chrome on macOS". Good enough to recognise a session. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /OPR\//.test(ua)
      ? "Opera"
      : /Firefox\//.test(ua)
        ? "Firefox"
        : /(Chrome|Chromium|CriOS)\//.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : null;
  const os = /iPhone|iPad|iPod/.test(ua)
    ? "iOS"
    : /Android/.test(ua)
      ? "Android"
      : /CrOS/.test(ua)
        ? "ChromeOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Mac OS X|Macintosh/.test(ua)
            ? "macOS"
            : /Linux/.test(ua)
              ? "Linux"
              : null;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? "Unknown device";
}

/** "+12025550143" → "(202) 555-0143", which is how US numbers are read. */
export function formatUsPhone(e164: string): string {
  const match = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return match ? `(${match[1]}) ${match[2]}-${match[3]}` : e164;
}

/** "https://acme.com/" → "acme.com", for display and for editing without the scheme. */
export function displayUrl(url: string): string {
  return url.replace(/^https:\/\//, "").replace(/\/$/, "");
}
