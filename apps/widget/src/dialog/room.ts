/**
 * What each frame of the dialog (one module per state of call-state.ts) is given to render itself,
 * and what it must provide. The dialog (call-ui.ts) owns the state; a frame only draws it and
 * turns the visitor's presses into events.
 */
import type { CallEvent, CallView } from "../call-state";
import type { Strings } from "../i18n/en";
import type { CallSession } from "../transport";
import type { WidgetContext } from "../types";
import type { Child } from "./dom";

export type Room = {
  ctx: WidgetContext;
  /** Moves the state machine; the dialog re-renders. */
  send(event: CallEvent): void;
  /** Places a call, or fails at once when the page or the hours cannot take one. */
  call(): void;
  /** The visitor hangs up or cancels. */
  hangUp(): void;
  close(): void;
  /** The call in progress, if any. */
  session(): CallSession | undefined;
  /** Whether this dialog can place calls (a transport exists and the button is callable). */
  canCall(): boolean;
  /** The callback request form, with what the visitor typed. */
  form(intro: string): HTMLElement;
  /** The visitor asked for the callback form instead of a call (home then shows it first). */
  formShown(): boolean;
  /** Shows the callback form first on home, going back there from the ended frame. */
  showForm(): void;
  /** Runs `fn` every second until the dialog renders another frame. */
  tick(fn: () => void): void;
};

/** One state's frame. The element marked `data-focus` takes focus when the frame appears. */
export type Frame<V extends CallView["v"]> = {
  /** Announced in the polite live region when the dialog enters this state, in the dialog's language. */
  live?: (t: Strings) => string;
  render(view: Extract<CallView, { v: V }>, room: Room): Child[];
};
