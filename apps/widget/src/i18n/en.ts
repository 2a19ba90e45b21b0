/**
 * Every word the widget shows a visitor, in English: the one source of the string tables. Each
 * other language is a file next to this one that `satisfies Strings` (a missing or extra key fails
 * typecheck, and test/i18n.test.ts checks it again at run time). The build turns each table into its
 * own chunk, `widget-<code>.js`, loaded only when a closed button or the dialog needs words (see
 * the widget README, "Languages").
 *
 * `{time}` and `{day}` are filled with Intl in the visitor's locale (hours.ts, closedText).
 */
import type { CallFailCause } from "../types";

const en = {
  /** Dates are written in this locale unless the visitor's own locale speaks the same language. */
  locale: "en-US",
  /** The button's closed line, and the dialog's status line while closed. */
  closed: {
    today: "Closed — back at {time}",
    tomorrow: "Closed — back tomorrow {time}",
    /** `{day}`: a weekday this week ("Monday"), or a date beyond it ("Thu, Mar 12"). */
    later: "Closed — back {day} {time}",
    none: "Closed for now",
    callback: "Closed — request a callback",
  },
  /** Words used by several frames. */
  common: {
    close: "Close",
    cancel: "Cancel",
    hangUp: "Hang up",
    back: "Back",
    tryAgain: "Try again",
    callNow: "Call now",
    requestCallback: "Request a callback",
    verification: "Verification check",
  },
  home: {
    micNote: "Your browser will ask to use your microphone. We never record.",
    talkNow: "Talk to us now, right from your browser.",
    orTalkNow: "Or talk to us now:",
    nobodyNow: "No one can take a call right now.",
    closedThen: "We'll be glad to take your call then.",
    closedNow: "We're not taking calls at the moment.",
    introShortly: "Leave your number and we'll call you back shortly.",
    intro: "Leave your number and we'll call you back.",
    introWhenOpen: "Leave your number and we'll call you back when we're open.",
  },
  form: {
    name: "Name",
    phone: "Phone number",
    message: "Message",
    optional: "(optional)",
    sending: "Sending…",
    preview: "Preview: requests are not sent.",
    nameRequired: "Enter your name.",
    phoneRequired: "Enter your phone number.",
    phoneInvalid: "Enter a full phone number, like (555) 123-4567.",
    captcha: "We couldn't verify that you're a person. Please try again.",
    offline: "We couldn't send your request. Check your connection, then try again.",
    failed: "We couldn't send your request. Please try again in a moment.",
    // The server's refusals in this language (an English widget shows the server's own words).
    nameInvalid: "Check your name.",
    messageInvalid: "Shorten your message, or remove unusual characters.",
    rateLimited: "Too many requests from this page. Please wait a few minutes, then try again.",
    blocked: "Requests from this page aren't accepted right now.",
    sent: "Thanks — we'll call you back.",
  },
  permission: {
    live: "Waiting for microphone permission",
    title: "Allow your microphone",
    allow: "Choose Allow to start the call.",
  },
  connecting: { live: "Connecting", title: "Connecting…" },
  ringing: { live: "Ringing", title: "Ringing…" },
  connected: {
    live: "Connected",
    title: "Connected",
    duration: "Call duration",
    mute: "Mute",
    keypad: "Keypad",
  },
  ended: { live: "Call ended", title: "Call ended", again: "Call again" },
  failed: {
    unanswered: "No one could take your call",
    title: "The call didn't go through",
    causes: {
      "mic-denied":
        "Your browser blocked the microphone. Allow microphone access for this site (in the address bar or your browser settings), then try again.",
      "no-mic": "We couldn't find a microphone. Connect one, then try again.",
      insecure:
        "Calls need a secure (https) page, and this one isn't. You can still ask us to call you back.",
      offline: "You seem to be offline. Check your internet connection, then try again.",
      closed: "We're closed right now, so the call can't go through.",
      blocked: "Calls from this page aren't accepted right now. You can still ask us to call you back.",
      "over-quota": "We can't take more calls right now. Please ask us to call you back instead.",
      "rate-limited": "Too many call attempts in a short time. Please wait a minute, then try again.",
      generic: "The call couldn't be connected. Please try again in a moment.",
      captcha: "We couldn't verify this call. Please try again.",
      "no-agent": "No one is available to answer right now. Leave your number and we'll call you back.",
      "no-answer": "No one answered in time. Leave your number and we'll call you back.",
      busy: "We can't take your call right now. Leave your number and we'll call you back.",
      unavailable:
        "This line isn't taking calls from the browser right now. You can still ask us to call you back.",
      outage:
        "Calls can't be connected right now because of a problem on our side. Please try again in a few minutes, or ask us to call you back.",
    } satisfies Record<CallFailCause, string>,
  },
};

/** The shape every language's table has (all strings). */
export type Strings = typeof en;

export default en;
