import type { PublicButtonConfig } from "@cac/trpc";
import type { HoursStatus } from "./hours";
import type { Strings } from "./i18n/en";

export type { PublicButtonConfig };

/** Sent only for a button whose owner opted in (conversion.ts), with the `clickandcall_` prefix. */
export type ConversionEvent = "call_started" | "call_answered" | "callback_requested";

export type WidgetEvent = "ready" | "call-start" | "call-end" | `clickandcall_${ConversionEvent}`;

/** Why a call could not be placed or went down; each has a human message in the call UI. */
export type FailCause =
  | "mic-denied"
  | "insecure"
  | "offline"
  | "closed"
  | "blocked"
  | "over-quota"
  | "rate-limited"
  | "generic";

/**
 * Why a call could not be placed or went down. Besides the loader's causes: no microphone,
 * refused by the captcha, nobody available, no answer before the ring timeout, declined by the
 * business, the line not taking browser calls, and an outage of the service's live events.
 */
export type CallFailCause =
  | FailCause
  | "no-mic"
  | "captcha"
  | "no-agent"
  | "no-answer"
  | "busy"
  | "unavailable"
  | "outage";

/**
 * What a transport tells the UI, in order: permitted → started (`calls.start` accepted, with the
 * call's id) → ringing → answered → hangup, or fail.
 */
export type CallProgress =
  | { t: "permitted" }
  | { t: "started"; id: string }
  | { t: "ringing" }
  | { t: "answered" }
  | { t: "hangup" }
  | { t: "fail"; cause: CallFailCause };

/**
 * What a language chunk (`widget-<code>.js`) exports: its words, and the closed line written in
 * them (hours.ts `closedText` with this table: "Closed — back tomorrow 9:00 AM").
 */
export type Words = { t: Strings; closed(next: number | null, now: number): string };

/** What the loader hands to the call UI chunk (`widget-call.js`) when it mounts it. */
export type WidgetContext = {
  /** The button's config; replaced in place when the portal's preview passes a new one. */
  cfg: PublicButtonConfig;
  /** Element in the button's shadow root that carries the color variables; the dialog goes in it. */
  frame: HTMLElement;
  button: HTMLButtonElement;
  /**
   * The button's language chunk (its fixed language, else the visitor's): loaded before the call
   * UI mounts; replaced in place when the preview switches language.
   */
  w: Words;
  /** Portal live preview: forms send nothing, no call is placed. */
  preview: boolean;
  /** Hours evaluated now, plus the closed message ("Closed — back Monday 9:00 AM"). */
  status(): HoursStatus & { text: string };
  /**
   * Nobody can take a call now: the server's widget.callable said no (at most 10 s ago); unset
   * until it answered, and in the preview.
   */
  busy?: boolean;
  /** Asks the server again whether anyone can take a call (the loader's; absent in the preview). */
  check?: () => void;
  emit(event: WidgetEvent, detail?: unknown): void;
};

/** What `widget-call.js` exports. */
export type CallUiModule = { mount(ctx: WidgetContext): CallUi };

export type CallUi = {
  /** Opens the dialog; `returnFocus` gets the focus back when it closes. */
  open(returnFocus?: HTMLElement | null): void;
  close(): void;
  /** Config or hours changed: re-render what depends on them. */
  update(): void;
  isOpen(): boolean;
};
