import { canonicalTimeZone } from "@cac/core/domain";

/** The browser's timezone when it is one the server accepts (an account starts with it). */
export function browserTimeZone(): string | undefined {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone ? (canonicalTimeZone(zone) ?? undefined) : undefined;
}

/** The zones to choose from, with `current` first when the runtime lists it under another name. */
export function timeZoneChoices(current: string): string[] {
  const zones = [...Intl.supportedValuesOf("timeZone"), "UTC"];
  return zones.includes(current) ? zones : [current, ...zones];
}

/** "UTC−05:00" now, for a zone's label in the list. */
export function utcOffsetLabel(zone: string, at = new Date()): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName")?.value;
  return part === "GMT" ? "UTC" : (part?.replace("GMT", "UTC") ?? "");
}
