/**
 * Failed: a human message for each cause, "Try again" when a retry can fix it, and the callback
 * form when calling back is the better way (nobody answered, the line takes no browser calls…).
 */
import type { CallFailCause } from "../types";
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const failMessages: Record<CallFailCause, string> = {
  "mic-denied":
    "Your browser blocked the microphone. Allow microphone access for this site (in the address bar or your browser settings), then try again.",
  "no-mic": "We couldn't find a microphone. Connect one, then try again.",
  insecure: "Calls need a secure (https) page, and this one isn't. You can still ask us to call you back.",
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
};

const retryable: CallFailCause[] = [
  "mic-denied",
  "no-mic",
  "offline",
  "rate-limited",
  "generic",
  "captcha",
  "outage",
];
const unanswered: CallFailCause[] = ["no-agent", "no-answer", "busy"];

/**
 * The callback form is offered after every failure, so the visitor never meets a dead end; while
 * closed, only when the owner takes callbacks outside hours. "Try again" is then secondary: one
 * primary action per frame.
 */
export const failed: Frame<"failed"> = {
  render({ cause }, room) {
    const s = room.ctx.status();
    const offer = !room.ctx.preview && (cause !== "closed" || room.ctx.cfg.closedBehavior === "callback");
    return [
      h(
        "p",
        { class: "st", role: "alert" },
        cause === "closed" && !s.open
          ? s.text
          : unanswered.includes(cause)
            ? "No one could take your call"
            : "The call didn't go through",
      ),
      h("p", { class: "mt" }, failMessages[cause]),
      h(
        "div",
        { class: "r" },
        retryable.includes(cause) ? btn("Try again", room.call, offer ? "" : "pr") : null,
        btn("Back", () => room.send({ t: "reset" }), "", { "data-focus": true }),
      ),
      offer ? room.form("Leave your number and we'll call you back.") : null,
    ];
  },
};
