import { wallClock } from "@cac/core/domain";
import { type CallFilters, toQueryInput } from "./filters";
import { formatDay } from "./format";
import type { LiveCall } from "./LiveCalls";

/** The days the totals and charts cover when no start date is chosen, ending today (or at `to`). */
export const DEFAULT_RANGE_DAYS = 30;

/**
 * The days (YYYY-MM-DD in the account's timezone, both included) the totals and charts cover;
 * `isDefault` when no start date was chosen (30 days), `endChosen` when an end date was.
 */
export type AggregateRange = { from: string; to: string; isDefault: boolean; endChosen: boolean };

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The local calendar day of an instant in `timeZone`. */
export function localDay(instant: Date | number, timeZone: string): string {
  return wallClock(+instant, timeZone).date;
}

/**
 * The range of the totals and charts: the chosen dates, or the last 30 days up to the chosen end
 * (today without one). Never all time: an account's whole history is the costliest aggregate there is.
 */
export function aggregateRange(filters: CallFilters, timeZone: string, now: Date | number): AggregateRange {
  const today = localDay(now, timeZone);
  if (filters.from) {
    // Without an end, up to today; a start after today is that one day.
    let to = filters.to ?? today;
    if (to < filters.from) to = filters.from;
    return { from: filters.from, to, isDefault: false, endChosen: filters.to !== undefined };
  }
  const to = filters.to ?? today;
  return {
    from: addDays(to, 1 - DEFAULT_RANGE_DAYS),
    to,
    isDefault: true,
    endChosen: filters.to !== undefined,
  };
}

/** The totals' and charts' input: the filters with the range's dates. */
export function aggregateInput(filters: CallFilters, range: AggregateRange) {
  return { ...toQueryInput(filters), from: range.from, to: range.to };
}

export type AggregateInput = ReturnType<typeof aggregateInput>;

/**
 * The totals and charts are fetched again only when their input changes (filters, range) or the
 * page invalidates them because a call in range ended, not on a timer or on returning to the tab;
 * a new visit of the page fetches them afresh.
 */
export const aggregateQueryOptions = {
  staleTime: Number.POSITIVE_INFINITY,
  refetchOnMount: "always",
  refetchOnWindowFocus: false,
} as const;

/** "the last 30 days (Nov 3 – Dec 2, 2026)", "the 30 days up to Feb 10, 2026 (…)", or the chosen days. */
export function describeRange(range: AggregateRange): string {
  const days =
    range.from === range.to ? formatDay(range.from) : `${formatDay(range.from)} – ${formatDay(range.to)}`;
  if (!range.isDefault) return days;
  return range.endChosen
    ? `the ${DEFAULT_RANGE_DAYS} days up to ${formatDay(range.to)} (${days})`
    : `the last ${DEFAULT_RANGE_DAYS} days (${days})`;
}

/**
 * Whether one of the calls that left the live list (they ended) counts in the totals: started
 * within the range, on the chosen button if any. Its final status is not known here, so a status
 * filter does not rule it out.
 */
export function endedInRange(
  ended: readonly LiveCall[],
  filters: CallFilters,
  range: AggregateRange,
  timeZone: string,
): boolean {
  return ended.some((call) => {
    const day = localDay(call.startedAt, timeZone);
    if (day < range.from || day > range.to) return false;
    return !filters.buttonId || call.button.id === filters.buttonId;
  });
}
