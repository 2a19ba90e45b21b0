import type { PublicButtonConfig } from "@cac/core/domain";
import { isOpenAt, nextClosing, nextOpening, openWindows, type Schedule } from "@cac/core/domain";
import { useEffect, useMemo, useRef, useState } from "react";
import { useMe } from "../../components/MeContext";
import { normalizeHex } from "../../lib/contrast";
import { type Draft, previewConfig, type WidgetLanguage, weeklyHours } from "./draft";

/** Days of open windows, as the server sends visitors (enough for "back Monday"). */
const WINDOW_DAYS = 8;

export type PreviewMode = "open" | "closed";

export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export type Preview = {
  config: PublicButtonConfig;
  /** The instant the widget evaluates the hours at. */
  now: number;
  /** Whether the schedule is open at the real current time. */
  openNow: boolean;
  /** The preview shows a later moment than now (the next opening or closing). */
  shifted: boolean;
  /** Set when the chosen mode cannot be shown (never open, or never closed). */
  note: string | null;
};

/**
 * The widget config for the preview, from the draft as it was a moment ago (debounced), with
 * open windows built by the same schedule functions as the server's. "Preview as open/closed"
 * picks the current time when it already matches, else the next opening or closing.
 */
export function usePreview(
  draft: Draft,
  mode: PreviewMode,
  options: { publicId: string | null; logoUrl: string | null; language: WidgetLanguage },
): Preview {
  const settled = useDebounced(draft, 250);
  // The last valid pair of colors, so a half-typed hex value does not change the preview.
  const colors = useRef({ background: "#1d4ed8", text: "#ffffff" });
  const background = normalizeHex(settled.background);
  const text = normalizeHex(settled.text);
  if (background) colors.current = { ...colors.current, background };
  if (text) colors.current = { ...colors.current, text };
  const { publicId, logoUrl, language } = options;
  // The dialog's header names the business, as it does for visitors.
  const businessName = useMe().account.companyName;

  return useMemo(() => {
    const schedule: Schedule = {
      timezone: settled.timezone,
      hours: weeklyHours(settled),
      holidays: settled.holidays,
    };
    const real = Date.now();
    const openNow = isOpenAt(schedule, real);
    let now = real;
    let note: string | null = null;
    if (mode === "open" && !openNow) {
      const opens = nextOpening(schedule, real);
      if (opens) now = opens.getTime();
      else note = "These hours are never open, so visitors always see the closed button.";
    } else if (mode === "closed" && openNow) {
      const closes = nextClosing(schedule, real);
      if (closes) now = closes.getTime();
      else note = "These hours never close, so visitors never see the closed button.";
    }
    const windows = openWindows(schedule, now, WINDOW_DAYS).map((w) => ({
      opens: w.opens.toISOString(),
      closes: w.closes ? w.closes.toISOString() : null,
    }));
    const config = previewConfig(settled, {
      publicId,
      logoUrl,
      businessName,
      openWindows: windows,
      fallback: { ...colors.current },
      language,
    });
    return { config, now, openNow, shifted: now !== real, note };
    // The fallback colors follow `settled`, which is a dependency.
  }, [settled, mode, publicId, logoUrl, businessName, language]);
}
