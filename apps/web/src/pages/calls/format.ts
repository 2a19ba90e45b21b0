import type { Tone } from "@cac/ui";
import type { RouterOutputs } from "../../trpc";

export type CallRow = RouterOutputs["callLog"]["list"]["items"][number];
export type CallStatus = CallRow["status"];
export type CallTransport = CallRow["transport"];

/** Every status, in the order the filter lists them. */
export const callStatusOrder: readonly CallStatus[] = [
  "completed",
  "in-progress",
  "ringing",
  "initiated",
  "no-answer",
  "busy",
  "failed",
  "canceled",
  "unavailable",
];

export const statusLabels: Record<CallStatus, string> = {
  completed: "Completed",
  "in-progress": "In progress",
  ringing: "Ringing",
  initiated: "Connecting",
  "no-answer": "No answer",
  busy: "Busy",
  failed: "Failed",
  canceled: "Canceled",
  unavailable: "Nobody available",
};

export const statusTones: Record<CallStatus, Tone | "neutral"> = {
  completed: "success",
  "in-progress": "info",
  ringing: "info",
  initiated: "info",
  "no-answer": "warning",
  busy: "warning",
  failed: "error",
  canceled: "neutral",
  unavailable: "warning",
};

export const transportLabels: Record<CallTransport, string> = {
  webrtc: "Browser",
  twilio: "Phone",
};

export function isCallStatus(value: string): value is CallStatus {
  return (callStatusOrder as readonly string[]).includes(value);
}

/** 75 → "1:15"; an hour or more → "1:02:05". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

/** "420 seconds" style text for screen readers next to a m:ss duration. */
export function describeDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const minutes = Math.floor(s / 60);
  const seconds = s % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (seconds || !minutes) parts.push(`${seconds} second${seconds === 1 ? "" : "s"}`);
  return parts.join(" ");
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat(undefined, { ...options, timeZone });
    } catch {
      // An unknown zone name: fall back to the browser's zone rather than failing the page.
      formatter = new Intl.DateTimeFormat(undefined, options);
    }
    formatters.set(key, formatter);
  }
  return formatter;
}

/** A call's time in the account's timezone: "Mar 4, 2025, 2:05:09 PM". */
export function formatCallTime(date: Date, timeZone: string): string {
  return formatterFor(timeZone, { dateStyle: "medium", timeStyle: "medium" }).format(date);
}

/** A calendar day (YYYY-MM-DD) as "Mar 4, 2025", without shifting it through any timezone. */
export function formatDay(day: string): string {
  return formatterFor("UTC", { dateStyle: "medium" }).format(new Date(`${day}T00:00:00Z`));
}

/** The short name of the zone for headers: "EST", "GMT+1", falling back to the IANA name. */
export function zoneAbbreviation(timeZone: string, at: Date = new Date()): string {
  const part = formatterFor(timeZone, { timeZoneName: "short" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

const numberFormat = new Intl.NumberFormat();
const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return numberFormat.format(n);
}

export function formatPercent(ratio: number | null): string {
  return ratio === null ? "—" : percentFormat.format(ratio);
}

/** "https://acme.com/pricing?x=1" → "acme.com/pricing": enough to recognise the page. */
export function shortPageUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const path = parsed.pathname === "/" ? "" : parsed.pathname;
    return `${parsed.host}${path}`;
  } catch {
    return url;
  }
}
