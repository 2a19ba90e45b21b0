import type { Tone } from "@cac/ui";

const money = new Map<string, Intl.NumberFormat>();

/** 1900, "usd" → "$19.00". Amounts are kept in cents. */
export function formatMoney(cents: number, currency = "usd"): string {
  const code = currency.toUpperCase();
  let format = money.get(code);
  if (!format) {
    try {
      format = new Intl.NumberFormat("en-US", { style: "currency", currency: code });
    } catch {
      format = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
    }
    money.set(code, format);
  }
  return format.format(cents / 100);
}

/** A plan's monthly price: "$19 / month", "$0". Whole dollars drop the cents. */
export function formatPrice(cents: number): string {
  if (cents === 0) return "$0";
  const text = cents % 100 === 0 ? `$${(cents / 100).toLocaleString("en-US")}` : formatMoney(cents);
  return `${text} / month`;
}

const dates = new Map<string, Intl.DateTimeFormat>();

export function formatDate(date: Date, timeZone: string): string {
  let format = dates.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone });
    } catch {
      format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
    }
    dates.set(timeZone, format);
  }
  return format.format(date);
}

const counts = new Intl.NumberFormat();

export function formatCount(n: number): string {
  return counts.format(n);
}

/** Subscription states as the overview reports them, in words and badge colors. */
export function describeState(state: string): { label: string; tone: Tone | "neutral" } {
  switch (state) {
    case "active":
      return { label: "Active", tone: "success" };
    case "trialing":
      return { label: "Trial", tone: "info" };
    case "past_due":
      return { label: "Past due", tone: "error" };
    case "canceling":
      return { label: "Canceled at period end", tone: "warning" };
    case "canceled":
      return { label: "Canceled", tone: "neutral" };
    case "incomplete":
      return { label: "Awaiting payment", tone: "warning" };
    case "incomplete_expired":
      return { label: "Checkout expired", tone: "neutral" };
    case "unpaid":
      return { label: "Unpaid", tone: "error" };
    case "paused":
      return { label: "Paused", tone: "warning" };
    default:
      return { label: state.replaceAll("_", " "), tone: "neutral" };
  }
}

/** States in which the subscription still gives the paid plan (a new Checkout would be refused). */
export const ENTITLED_STATES: ReadonlySet<string> = new Set(["active", "trialing", "past_due", "canceling"]);

/** 600 → "10 minutes", 3600 → "1 hour". */
export function formatCallLength(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes % 60 === 0) {
    const hours = minutes / 60;
    return `${hours} hour${hours === 1 ? "" : "s"}`;
  }
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
