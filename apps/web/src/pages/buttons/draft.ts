/**
 * The button editor's working copy. Inputs hold what people type (hex text, "HH:MM" times, a
 * phone number as written); `toFields` turns it into what `buttons.create/update` accept.
 */
import type { PublicButtonConfig } from "@cac/core/domain";
import { domainsOfWebsite, findHoursProblems, type WeeklyHours } from "@cac/core/domain";
import { normalizeHex } from "../../lib/contrast";
import { formatUsPhone } from "../../lib/format";
import type { RouterInputs, RouterOutputs } from "../../trpc";

export type ButtonView = RouterOutputs["buttons"]["get"];
export type ButtonFields = RouterInputs["buttons"]["create"];
export type ButtonStyle = ButtonFields["style"];
export type ClosedBehavior = ButtonFields["closedBehavior"];
export type WidgetTheme = NonNullable<ButtonFields["theme"]>;
export type ButtonLanguage = NonNullable<ButtonFields["language"]>;
/** A language the widget speaks ("en", "es"). */
export type WidgetLanguage = Exclude<ButtonLanguage, "auto">;
/** The owner's texts in one language as typed ("" = none: the widget's default). */
export type OwnTexts = { label: string; closedMessage: string };

/** The widget's languages, in the order the editor lists them. */
export const widgetLanguageNames = [
  { value: "en", name: "English" },
  { value: "es", name: "Spanish" },
] as const satisfies ReadonlyArray<{ value: WidgetLanguage; name: string }>;

export const sizes = [
  { value: "small", label: "Small" },
  { value: "medium", label: "Medium" },
  { value: "large", label: "Large" },
] as const satisfies ReadonlyArray<{ value: ButtonStyle["size"]; label: string }>;

export const shapes = [
  { value: "pill", label: "Pill" },
  { value: "rounded", label: "Rounded" },
  { value: "square", label: "Square" },
  { value: "circle", label: "Circle (icon only)" },
] as const satisfies ReadonlyArray<{ value: ButtonStyle["shape"]; label: string }>;

export const positions = [
  { value: "bottom-right", label: "Bottom right corner" },
  { value: "bottom-left", label: "Bottom left corner" },
  { value: "inline", label: "Inline, where you place it" },
] as const satisfies ReadonlyArray<{ value: ButtonStyle["position"]; label: string }>;

export const icons = [
  { value: "phone", label: "Phone" },
  { value: "headset", label: "Headset" },
  { value: "chat", label: "Speech bubble" },
  { value: "none", label: "No icon" },
] as const satisfies ReadonlyArray<{ value: ButtonStyle["icon"]; label: string }>;

/** Weekdays in the order people read a week; `index` is the server's (0 = Sunday). */
export const weekdays = [
  { index: 1, name: "Monday" },
  { index: 2, name: "Tuesday" },
  { index: 3, name: "Wednesday" },
  { index: 4, name: "Thursday" },
  { index: 5, name: "Friday" },
  { index: 6, name: "Saturday" },
  { index: 0, name: "Sunday" },
] as const;

export const dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

export const MAX_INTERVALS_PER_DAY = 6;

/** One opening interval as typed: "HH:MM" strings ("" while a time input is incomplete). */
export type TimeInterval = { key: number; start: string; end: string };

export type Draft = {
  name: string;
  label: string;
  enabled: boolean;
  background: string;
  text: string;
  size: ButtonStyle["size"];
  shape: ButtonStyle["shape"];
  position: ButtonStyle["position"];
  icon: ButtonStyle["icon"];
  phoneNumber: string;
  ringPortal: boolean;
  /** Send who is calling (referrer, campaign, device, local time) with calls and callbacks. */
  collectContext: boolean;
  timezone: string;
  /** Seven days, index 0 = Sunday. */
  hours: TimeInterval[][];
  holidays: string[];
  closedBehavior: ClosedBehavior;
  theme: WidgetTheme;
  /** "auto" follows the visitor's browser; otherwise the widget always speaks this language. */
  language: ButtonLanguage;
  /** The button text and closed message per language. */
  texts: Record<WidgetLanguage, OwnTexts>;
  allowedDomains: string[];
  /** Push call and callback events to the page's Google Tag Manager (opt-in). */
  conversionEvents: boolean;
};

const noTexts = (): Record<WidgetLanguage, OwnTexts> => ({
  en: { label: "", closedMessage: "" },
  es: { label: "", closedMessage: "" },
});

let nextKey = 1;
/** A key for a new interval row, so React keeps each row's inputs (and focus) in place. */
export function intervalKey(): number {
  nextKey += 1;
  return nextKey;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** 540 → "09:00"; 1440 (end of day) → "00:00", which the editor reads back as midnight. */
export function minutesToTime(minutes: number): string {
  const m = minutes % 1440;
  return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
}

/** "09:30" → 570; null when incomplete. */
export function timeToMinutes(value: string): number | null {
  const match = /^(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const h = Number(match[1]);
  const m = Number(match[2]);
  return h < 24 && m < 60 ? h * 60 + m : null;
}

/**
 * An interval as the server stores it. An end of 00:00 means midnight at the end of the day
 * (1440), so "22:00 to 00:00" is not an overnight interval and "00:00 to 00:00" is all day.
 */
export function toInterval(iv: { start: string; end: string }): { start: number; end: number } | null {
  const start = timeToMinutes(iv.start);
  const end = timeToMinutes(iv.end);
  if (start === null || end === null) return null;
  return { start, end: end === 0 ? 1440 : end };
}

/** "until 02:00 next day" for overnight intervals, "until midnight", "all day"; null otherwise. */
export function intervalNote(iv: { start: string; end: string }): string | null {
  const parsed = toInterval(iv);
  if (!parsed) return null;
  if (parsed.start === 0 && parsed.end === 1440) return "All day";
  if (parsed.end === 1440) return "Until midnight";
  if (parsed.end < parsed.start) return `Until ${minutesToTime(parsed.end)} next day`;
  return null;
}

export const toTimeIntervals = (hours: WeeklyHours): TimeInterval[][] =>
  Array.from({ length: 7 }, (_, day) =>
    (hours[day] ?? []).map((iv) => ({
      key: intervalKey(),
      start: minutesToTime(iv.start),
      end: minutesToTime(iv.end),
    })),
  );

const nineToFive = { start: 9 * 60, end: 17 * 60 };

export const hourPresets: ReadonlyArray<{ id: string; label: string; hours: WeeklyHours }> = [
  {
    id: "weekdays",
    label: "Weekdays 9–5",
    hours: [[], ...Array.from({ length: 5 }, () => [nineToFive]), []],
  },
  { id: "every-day", label: "Every day 9–5", hours: Array.from({ length: 7 }, () => [nineToFive]) },
  { id: "always", label: "Always open", hours: Array.from({ length: 7 }, () => [{ start: 0, end: 1440 }]) },
  { id: "closed", label: "Closed all week", hours: Array.from({ length: 7 }, () => []) },
];

export function presetHours(id: string): TimeInterval[][] {
  const preset = hourPresets.find((p) => p.id === id) ?? hourPresets[0];
  return toTimeIntervals(preset?.hours ?? []);
}

/** The browser's timezone when it is a real region (not "UTC"), else New York. */
function defaultTimezone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone?.includes("/") ? zone : "America/New_York";
}

/**
 * A new button's defaults: open around the clock (an evening tester sees it working, not
 * "Closed"), a callback request when closed, and allowed on the account's website (with and
 * without `www.`), so the snippet works there as soon as it is pasted.
 */
export function newDraft(website?: string): Draft {
  return {
    name: "",
    label: "Call us",
    enabled: true,
    background: "#1d4ed8",
    text: "#ffffff",
    size: "medium",
    shape: "pill",
    position: "bottom-right",
    icon: "phone",
    phoneNumber: "",
    ringPortal: true,
    collectContext: true,
    timezone: defaultTimezone(),
    hours: presetHours("always"),
    holidays: [],
    closedBehavior: "callback",
    theme: "light",
    language: "auto",
    texts: noTexts(),
    allowedDomains: domainsOfWebsite(website),
    conversionEvents: false,
  };
}

export function draftFromView(button: ButtonView): Draft {
  return {
    name: button.name,
    label: button.label,
    enabled: button.enabled,
    background: button.style.background,
    text: button.style.text,
    size: button.style.size,
    shape: button.style.shape,
    position: button.style.position,
    // Stored as text; anything unknown shows the default icon, as in the widget.
    icon: icons.find((i) => i.value === button.style.icon)?.value ?? "phone",
    phoneNumber: button.phoneNumber ? formatUsPhone(button.phoneNumber) : "",
    ringPortal: button.ringPortal,
    collectContext: button.collectContext,
    timezone: button.timezone,
    hours: toTimeIntervals(button.hours),
    holidays: [...button.holidays],
    closedBehavior: button.closedBehavior,
    theme: button.theme,
    language: button.language,
    texts: {
      en: { label: button.texts.en?.label ?? "", closedMessage: button.texts.en?.closedMessage ?? "" },
      es: { label: button.texts.es?.label ?? "", closedMessage: button.texts.es?.closedMessage ?? "" },
    },
    allowedDomains: [...button.allowedDomains],
    conversionEvents: button.conversionEvents,
  };
}

/** The draft without row keys, for telling whether anything changed. */
export function draftSignature(draft: Draft): string {
  return JSON.stringify({
    ...draft,
    hours: draft.hours.map((day) => day.map(({ start, end }) => [start, end])),
  });
}

/** The hours that can be evaluated now; incomplete intervals are left out. */
export function weeklyHours(draft: Pick<Draft, "hours">): WeeklyHours {
  return draft.hours.map((day) => day.flatMap((iv) => toInterval(iv) ?? []));
}

/** Messages per weekday (0 = Sunday) for hours the server would refuse, checked as people type. */
export function hoursProblemsByDay(draft: Pick<Draft, "hours">): Map<number, string[]> {
  const problems = new Map<number, string[]>();
  const add = (day: number, message: string) => problems.set(day, [...(problems.get(day) ?? []), message]);
  draft.hours.forEach((day, index) => {
    if (day.some((iv) => toInterval(iv) === null)) {
      add(index, `${dayNames[index]}: enter both the opening and the closing time.`);
    }
  });
  for (const [day, message] of findHoursProblems(weeklyHours(draft))) add(day, message);
  return problems;
}

/** Server messages about hours name their day ("Monday: intervals overlap…"); file them under it. */
export function splitHoursMessages(messages: readonly string[]): {
  byDay: Map<number, string[]>;
  general: string[];
} {
  const byDay = new Map<number, string[]>();
  const general: string[] = [];
  for (const message of messages) {
    const day = dayNames.findIndex((name) => message.startsWith(`${name}:`));
    if (day === -1) general.push(message);
    else byDay.set(day, [...(byDay.get(day) ?? []), message]);
  }
  return { byDay, general };
}

export type DraftProblems = Partial<Record<keyof ButtonFields, string[]>> & {
  background?: string[];
  text?: string[];
};

/** What the server would receive, or the problems the editor can already name. */
export function toFields(draft: Draft): { fields: ButtonFields; problems: DraftProblems } {
  const problems: DraftProblems = {};
  const background = normalizeHex(draft.background);
  const text = normalizeHex(draft.text);
  if (!background) problems.background = ["Use a color like #1d4ed8."];
  if (!text) problems.text = ["Use a color like #ffffff."];
  const byDay = hoursProblemsByDay(draft);
  if (byDay.size > 0) problems.hours = [...byDay.values()].flat();
  const phone = draft.phoneNumber.trim();
  return {
    fields: {
      name: draft.name,
      label: draft.label,
      enabled: draft.enabled,
      style: {
        background: background ?? draft.background,
        text: text ?? draft.text,
        size: draft.size,
        shape: draft.shape,
        position: draft.position,
        icon: draft.icon,
      },
      phoneNumber: phone === "" ? null : phone,
      ringPortal: draft.ringPortal,
      collectContext: draft.collectContext,
      timezone: draft.timezone,
      hours: weeklyHours(draft),
      holidays: draft.holidays,
      closedBehavior: draft.closedBehavior,
      theme: draft.theme,
      language: draft.language,
      texts: ownTexts(draft),
      allowedDomains: draft.allowedDomains,
      conversionEvents: draft.conversionEvents,
    },
    problems,
  };
}

/** The owner's texts as the server takes them: only those given, trimmed. */
function ownTexts(draft: Pick<Draft, "texts">): NonNullable<ButtonFields["texts"]> {
  const texts: NonNullable<ButtonFields["texts"]> = {};
  for (const { value } of widgetLanguageNames) {
    const label = draft.texts[value].label.trim();
    const closedMessage = draft.texts[value].closedMessage.trim();
    if (label || closedMessage) {
      texts[value] = { ...(label ? { label } : {}), ...(closedMessage ? { closedMessage } : {}) };
    }
  }
  return texts;
}

/**
 * The config the widget's preview mode renders. Colors that are not valid yet fall back to
 * `fallback` (the last valid pair), so the preview never flashes while someone types.
 */
export function previewConfig(
  draft: Draft,
  options: {
    publicId: string | null;
    logoUrl: string | null;
    businessName: string;
    openWindows: PublicButtonConfig["openWindows"];
    fallback: { background: string; text: string };
    /** The language the preview speaks (its English/Spanish switch), whatever the button's setting. */
    language: WidgetLanguage;
  },
): PublicButtonConfig {
  const hours = weeklyHours(draft);
  return {
    id: options.publicId ?? "preview",
    label: draft.label.trim() || "Call us",
    businessName: options.businessName,
    style: {
      background: normalizeHex(draft.background) ?? options.fallback.background,
      text: normalizeHex(draft.text) ?? options.fallback.text,
      size: draft.size,
      shape: draft.shape,
      position: draft.position,
      icon: draft.icon,
    },
    logoUrl: options.logoUrl,
    timezone: draft.timezone,
    hours,
    holidays: draft.holidays,
    closedBehavior: draft.closedBehavior,
    theme: draft.theme,
    language: options.language,
    texts: ownTexts(draft),
    openWindows: options.openWindows,
    callable: draft.ringPortal || draft.phoneNumber.trim() !== "",
    apiOrigin: window.location.origin,
  };
}

/** Timezones for the select: the US ones by name first, then every other region. */
export const usTimezones = [
  { value: "America/New_York", label: "Eastern (New York)" },
  { value: "America/Chicago", label: "Central (Chicago)" },
  { value: "America/Denver", label: "Mountain (Denver)" },
  { value: "America/Phoenix", label: "Arizona (Phoenix, no daylight saving)" },
  { value: "America/Los_Angeles", label: "Pacific (Los Angeles)" },
  { value: "America/Anchorage", label: "Alaska (Anchorage)" },
  { value: "Pacific/Honolulu", label: "Hawaii (Honolulu)" },
  { value: "America/Puerto_Rico", label: "Atlantic (Puerto Rico)" },
] as const;

export function otherTimezones(): string[] {
  const us = new Set<string>(usTimezones.map((z) => z.value));
  let all: string[] = [];
  try {
    all = Intl.supportedValuesOf("timeZone");
  } catch {
    all = [];
  }
  return all.filter((zone) => zone.includes("/") && !us.has(zone));
}
