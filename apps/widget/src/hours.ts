/**
 * Opening hours as the widget sees them: the server sends absolute open windows (ISO instants),
 * so the visitor's browser needs no timezone rules, only comparisons and Intl formatting.
 */

export type OpenWindow = { opens: string; closes: string | null };

export type HoursStatus = {
  /** Some window has opens <= now < closes (a null `closes` never closes). */
  open: boolean;
  /** The first opening after `now`, as epoch ms, or null when none is known. */
  next: number | null;
  /** The next instant where `open` can change (an opening or a closing), or null. */
  boundary: number | null;
};

export function hoursStatus(windows: readonly OpenWindow[], now: number): HoursStatus {
  let open = false;
  let next: number | null = null;
  let boundary: number | null = null;
  for (const w of windows) {
    const opens = Date.parse(w.opens);
    const closes = w.closes ? Date.parse(w.closes) : Infinity;
    if (opens <= now && now < closes) open = true;
    if (opens > now && (next === null || opens < next)) next = opens;
    for (const b of [opens, closes]) {
      if (b > now && b < (boundary ?? Infinity)) boundary = b;
    }
  }
  return { open, next, boundary };
}

/**
 * "Closed — back Monday 9:00 AM" in the visitor's local time: "back at 9:00 AM" today,
 * "back tomorrow 9:00 AM", a weekday within the week, a date beyond it; "Closed for now" when no
 * opening is coming in the days the config covers, so nothing promises a return it cannot name.
 * The words are English; the clock follows the visitor's locale (12 or 24 h).
 */
export function closedText(next: number | null, now: number, locale?: string): string {
  if (next === null) return "Closed for now";
  const fmt = (options: Intl.DateTimeFormatOptions, lang?: string) =>
    new Date(next).toLocaleString(lang, options);
  const midnight = (t: number) => new Date(t).setHours(0, 0, 0, 0);
  const days = Math.round((midnight(next) - midnight(now)) / 864e5);
  const when =
    days < 1
      ? "at"
      : days < 2
        ? "tomorrow"
        : days < 7
          ? fmt({ weekday: "long" }, "en-US")
          : fmt({ weekday: "short", month: "short", day: "numeric" }, "en-US");
  return `Closed — back ${when} ${fmt({ hour: "numeric", minute: "2-digit" }, locale)}`;
}
