/**
 * Opening hours as the widget sees them: the server sends absolute open windows (ISO instants),
 * so the visitor's browser needs no timezone rules, only comparisons and Intl formatting.
 */

import type { Strings } from "./i18n/en";

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
 * The closed line in the widget's language `t`: "Closed — back at 9:00 AM" today, "back tomorrow
 * 9:00 AM", a weekday within the week, a date beyond it; "Closed for now" when no opening is coming
 * in the days the config covers, so nothing promises a return it cannot name. The clock follows the
 * visitor's locale (12 or 24 h); weekday and month names too when it speaks `t`'s language, else
 * `t.locale`. Bundled in each language chunk, not in the loader.
 */
export function closedText(next: number | null, now: number, t: Strings, locale?: string): string {
  const c = t.closed;
  if (next === null) return c.none;
  const mine = locale ?? new Intl.DateTimeFormat().resolvedOptions().locale;
  const words = mine.split("-")[0] === t.locale.split("-")[0] ? mine : t.locale;
  const fmt = (options: Intl.DateTimeFormatOptions, lang?: string) =>
    new Date(next).toLocaleString(lang, options);
  const midnight = (at: number) => new Date(at).setHours(0, 0, 0, 0);
  const days = Math.round((midnight(next) - midnight(now)) / 864e5);
  const template = days < 1 ? c.today : days < 2 ? c.tomorrow : c.later;
  const day =
    days < 7
      ? fmt({ weekday: "long" }, words)
      : fmt({ weekday: "short", month: "short", day: "numeric" }, words);
  return template
    .replace("{day}", day)
    .replace("{time}", fmt({ hour: "numeric", minute: "2-digit" }, locale));
}
