/**
 * Home: one primary action. While open and someone can answer, "Call now" (with a word on the
 * microphone before the browser asks), and "Request a callback" to bring up the form instead;
 * otherwise the callback form leads. While closed, the closed message, then the form (callback
 * behaviour) or a close button.
 */
import { btn, h } from "./dom";
import type { Frame, Room } from "./room";

/** Said before the browser's own microphone prompt, so it comes as no surprise. */
export const micNote = "Your browser will ask to use your microphone. We never record.";

/** "Call now" and the microphone line; secondary when the visitor chose the callback form. */
export const callNow = (room: Room, primary: boolean, text = "Call now") => [
  btn(text, room.call, primary ? "pr" : "", primary ? { "data-focus": true } : {}),
  h("p", { class: "mt sm" }, micNote),
];

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
      // Nobody can answer now: no "Call now" (so the microphone is never asked for); the form.
      return [
        h("p", { class: "st", role: "status" }, "No one can take a call right now."),
        room.form("Leave your number and we'll call you back shortly."),
      ];
    }
    if (!room.canCall()) return [room.form("Leave your number and we'll call you back shortly.")];
    if (room.formShown()) {
      return [
        room.form("Leave your number and we'll call you back."),
        h("p", { class: "mt sm" }, "Or talk to us now:"),
        ...callNow(room, false),
      ];
    }
    return [
      h("p", { class: "mt" }, "Talk to us now, right from your browser."),
      ...callNow(room, true),
      btn("Request a callback", room.showForm),
    ];
  },
};
