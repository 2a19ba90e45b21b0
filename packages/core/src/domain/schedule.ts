/**
 * Business hours as pure functions. Hours are wall-clock minutes in the button's timezone, so
 * DST is handled by reading the wall clock of an instant, never by adding fixed offsets.
 */

/** Minutes from local midnight. `end < start` runs overnight into the next day; `end` may be 1440. */
export type Interval = { start: number; end: number };
/** Seven lists of intervals, index 0 = Sunday (as Date#getDay). */
export type WeeklyHours = Interval[][];
export type Schedule = {
  timezone: string;
  hours: WeeklyHours;
  /** Local dates (YYYY-MM-DD) closed all day. */
  holidays: readonly string[];
};

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Wall = { date: string; weekday: number; minute: number; utcMidnight: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock reading of an instant in a timezone. */
export function wallClock(instant: number, timeZone: string): Wall & { offsetMs: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const y = parts.year ?? 1970;
  const mo = parts.month ?? 1;
  const d = parts.day ?? 1;
  const h = parts.hour ?? 0;
  const mi = parts.minute ?? 0;
  const s = parts.second ?? 0;
  const utcMidnight = Date.UTC(y, mo - 1, d);
  const asUtc = utcMidnight + ((h * 60 + mi) * 60 + s) * 1000;
  return {
    date: new Date(utcMidnight).toISOString().slice(0, 10),
    weekday: new Date(utcMidnight).getUTCDay(),
    minute: h * 60 + mi,
    utcMidnight,
    offsetMs: asUtc - Math.floor(instant / 1000) * 1000,
  };
}

/** Wall minutes since the epoch's local midnight, for ordering wall times across days. */
function wallOrdinal(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return w.utcMidnight / MINUTE + w.minute;
}

/**
 * Every instant whose local wall time is `minute` on the local day starting at `utcMidnight`
 * (a UTC-based day number). Two in a fall-back overlap; in a spring-forward gap, the first
 * instant after the gap.
 */
export function instantsForWallTime(utcMidnight: number, minute: number, timeZone: string): number[] {
  const target = utcMidnight + minute * MINUTE;
  const found = new Set<number>();
  for (const probe of [target - DAY, target + DAY]) {
    const candidate = target - wallClock(probe, timeZone).offsetMs;
    if (wallOrdinal(candidate, timeZone) === target / MINUTE) found.add(candidate);
  }
  if (found.size > 0) return [...found].sort((a, b) => a - b);
  // In a gap: search the first instant whose wall time is at or past the target.
  let lo = target - 36 * 60 * MINUTE;
  let hi = target + 36 * 60 * MINUTE;
  while (hi - lo > MINUTE) {
    const mid = Math.floor((lo + hi) / 2 / MINUTE) * MINUTE;
    if (wallOrdinal(mid, timeZone) >= target / MINUTE) hi = mid;
    else lo = mid;
  }
  return [hi];
}

function weekdayIntervals(hours: WeeklyHours, weekday: number): Interval[] {
  return hours[((weekday % 7) + 7) % 7] ?? [];
}

/** Whether the schedule is open at a wall-clock reading. */
function isOpenAtWall(schedule: Schedule, wall: Wall): boolean {
  if (schedule.holidays.includes(wall.date)) return false;
  const m = wall.minute;
  for (const iv of weekdayIntervals(schedule.hours, wall.weekday)) {
    if (iv.end > iv.start ? m >= iv.start && m < iv.end : m >= iv.start) return true;
  }
  for (const iv of weekdayIntervals(schedule.hours, wall.weekday - 1)) {
    if (iv.end < iv.start && m < iv.end) return true;
  }
  return false;
}

export function isOpenAt(schedule: Schedule, at: Date | number): boolean {
  return isOpenAtWall(schedule, wallClock(+at, schedule.timezone));
}

/** Instants, in order, at which the open/closed state may change during one local day. */
function changePoints(schedule: Schedule, utcMidnight: number): number[] {
  const tz = schedule.timezone;
  const weekday = new Date(utcMidnight).getUTCDay();
  const minutes = new Set<number>([0]);
  for (const iv of weekdayIntervals(schedule.hours, weekday)) {
    minutes.add(iv.start);
    if (iv.end > iv.start && iv.end < 1440) minutes.add(iv.end);
  }
  for (const iv of weekdayIntervals(schedule.hours, weekday - 1)) {
    if (iv.end < iv.start) minutes.add(iv.end);
  }
  const points: number[] = [];
  for (const minute of minutes) points.push(...instantsForWallTime(utcMidnight, minute, tz));
  // A DST jump changes the wall clock without any boundary; include the jump itself.
  const dayStart = instantsForWallTime(utcMidnight, 0, tz)[0] ?? utcMidnight;
  const dayEnd = instantsForWallTime(utcMidnight + DAY, 0, tz)[0] ?? utcMidnight + DAY;
  if (wallClock(dayStart, tz).offsetMs !== wallClock(dayEnd, tz).offsetMs) {
    let lo = dayStart;
    let hi = dayEnd;
    const startOffset = wallClock(dayStart, tz).offsetMs;
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (wallClock(mid, tz).offsetMs === startOffset) lo = mid;
      else hi = mid;
    }
    points.push(hi);
  }
  return points.sort((a, b) => a - b);
}

/** How far ahead the search looks; a schedule closed longer than this has no next opening. */
const SEARCH_DAYS = 400;

function nextChange(schedule: Schedule, from: number, wantOpen: boolean, horizonDays: number): number | null {
  if (isOpenAt(schedule, from) === wantOpen) return from;
  const start = wallClock(from, schedule.timezone).utcMidnight;
  for (let day = 0; day <= horizonDays; day++) {
    for (const point of changePoints(schedule, start + day * DAY)) {
      if (point > from && isOpenAt(schedule, point) === wantOpen) return point;
    }
  }
  return null;
}

/**
 * The first instant at or after `from` when the schedule is open, or null if none within
 * `horizonDays` (a year by default).
 */
export function nextOpening(schedule: Schedule, from: Date | number, horizonDays = SEARCH_DAYS): Date | null {
  const t = nextChange(schedule, Math.floor(+from / 1000) * 1000, true, horizonDays);
  return t === null ? null : new Date(t);
}

/**
 * What a visitor is told when a call is refused because the button is closed. "When we're open"
 * only when an opening is coming; a schedule with none says so plainly.
 */
export function closedCallMessage(schedule: Schedule, at: Date | number): string {
  return nextOpening(schedule, at) === null
    ? "We're not taking calls at the moment."
    : "We're closed right now. Please call again when we're open.";
}

/** The first instant at or after `from` when the schedule is closed, or null if none within the horizon. */
export function nextClosing(schedule: Schedule, from: Date | number, horizonDays = SEARCH_DAYS): Date | null {
  const t = nextChange(schedule, Math.floor(+from / 1000) * 1000, false, horizonDays);
  return t === null ? null : new Date(t);
}

/**
 * The open windows overlapping [from, from + days), as absolute instants. The widget checks the
 * current time against these, so it needs no timezone rules of its own. A window still open at
 * the end of the range has `closes: null`. Searching only the range keeps this cheap for
 * schedules that are always open or always closed.
 */
export function openWindows(
  schedule: Schedule,
  from: Date | number,
  days: number,
): Array<{ opens: Date; closes: Date | null }> {
  const until = +from + days * DAY;
  const windows: Array<{ opens: Date; closes: Date | null }> = [];
  let cursor: number = Math.floor(+from / 1000) * 1000;
  while (cursor < until && windows.length < 100) {
    const opens = nextOpening(schedule, cursor, days + 1);
    if (!opens || +opens >= until) break;
    const found = nextClosing(schedule, opens, days + 1);
    const closes = found && +found <= until ? found : null;
    windows.push({ opens, closes });
    if (!closes) break;
    cursor = +closes;
  }
  return windows;
}

/** Problems with a week of hours, as messages keyed by weekday index; empty when valid. */
export function findHoursProblems(hours: WeeklyHours): Map<number, string> {
  const problems = new Map<number, string>();
  const names = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
  for (let day = 0; day < 7; day++) {
    const spans: Array<[number, number]> = [];
    for (const iv of weekdayIntervals(hours, day)) {
      if (iv.start === iv.end) {
        problems.set(day, `${names[day]}: an interval must not start and end at the same time.`);
        continue;
      }
      if (iv.end > iv.start) spans.push([iv.start, iv.end]);
      else spans.push([iv.start, 1440]);
    }
    for (const iv of weekdayIntervals(hours, day - 1)) {
      if (iv.end < iv.start) spans.push([0, iv.end]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      if ((spans[i]?.[0] ?? 0) < (spans[i - 1]?.[1] ?? 0)) {
        problems.set(day, `${names[day]}: intervals overlap (overnight hours count on the next day).`);
      }
    }
  }
  return problems;
}
