/**
 * Home: while open, "Call now" (when the button takes calls) and the callback form; while closed,
 * or open with nobody to answer, a message, then the form (callback behaviour; with nobody to
 * answer, also hide) or a close button.
 */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const home: Frame<"home"> = {
  render(_view, room) {
    const s = room.ctx.status();
    if (!s.open) {
      const closed = h("p", { class: "st", role: "status" }, s.text);
      // "Then" and "when we're open" only when an opening is coming; otherwise say it plainly.
      const coming = s.next !== null;
      return room.ctx.cfg.closedBehavior === "callback"
        ? [
            closed,
            room.form(
              coming
                ? "Leave your number and we'll call you back when we're open."
                : "Leave your number and we'll call you back.",
            ),
          ]
        : [
            closed,
            h(
              "p",
              { class: "mt" },
              coming ? "We'll be glad to take your call then." : "We're not taking calls at the moment.",
            ),
            btn("Close", room.close),
          ];
    }
    if (room.ctx.busy && room.ctx.cfg.callable) {
      // Nobody can answer now: no "Call now" (so the microphone is never asked for); the callback
      // form, or the owner's closed message when they chose one.
      const busy = h("p", { class: "st", role: "status" }, "No one can take a call right now.");
      return room.ctx.cfg.closedBehavior === "message"
        ? [busy, h("p", { class: "mt" }, "Please try again in a few minutes."), btn("Close", room.close)]
        : [busy, room.form("Leave your number and we'll call you back shortly.")];
    }
    return room.canCall()
      ? [
          h("p", { class: "mt" }, "Talk to us now, right from your browser."),
          btn("Call now", room.call, "pr", { "data-focus": true }),
          room.form("Or leave your number and we'll call you back."),
        ]
      : [room.form("Leave your number and we'll call you back shortly.")];
  },
};
