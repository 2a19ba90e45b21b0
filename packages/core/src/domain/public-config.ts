import type { ButtonStyle, ButtonTexts, WidgetLanguage } from "@cac/db";
import type { WeeklyHours } from "./schedule";

/**
 * What the widget learns about a button from `GET /widget/config/:publicId`: display and hours
 * only. Never the destination number or anything about the account.
 */
export type PublicButtonConfig = {
  id: string;
  label: string;
  /** Whose line it is: the account's company name, in the dialog's header. */
  businessName: string;
  style: ButtonStyle;
  logoUrl: string | null;
  timezone: string;
  hours: WeeklyHours;
  holidays: string[];
  closedBehavior: "hide" | "message" | "callback";
  /**
   * The language the widget speaks: "auto" follows the visitor's browser (`navigator.languages`,
   * the first one the widget speaks, else English); otherwise fixed. Absent in older copies: auto.
   */
  language?: "auto" | WidgetLanguage;
  /** The owner's button text and closed message per language (each optional; absent: none). */
  texts?: ButtonTexts;
  /** The dialog's colors; "auto" follows the visitor's `prefers-color-scheme`. */
  theme: "light" | "dark" | "auto";
  /**
   * The owner opted in to conversion events: the widget pushes `clickandcall_*` events to the
   * page's `window.dataLayer` and to `ClickAndCall("on", …)` listeners. Absent means off.
   */
  conversionEvents?: boolean;
  /** Open windows for the next days as ISO instants, so the widget needs no timezone rules. */
  openWindows: Array<{ opens: string; closes: string | null }>;
  /** Whether a call can be placed at all (a destination is configured). */
  callable: boolean;
  /** Server-side origin for API calls (tRPC at `${apiOrigin}/trpc`). */
  apiOrigin: string;
  /**
   * Cloudflare Turnstile's site key when the captcha is on: the call chunk then runs a challenge
   * (action "call") before `calls.start`. Absent or null: no challenge (and in the portal preview).
   */
  captchaSiteKey?: string | null;
  /**
   * Whether the widget keeps the visit's referrer and campaign parameters and sends them, with
   * the device class and local time, with a call or a callback request. Absent: true.
   */
  collectContext?: boolean;
};
