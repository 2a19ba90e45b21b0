/**
 * Home: one primary action. While open and someone can answer, "Call now" (with a word on the
 * microphone before the browser asks), and "Request a callback" to bring up the form instead;
 * otherwise the callback form leads. While closed, the closed message, then the form (callback
 * behaviour) or a close button.
 */
import { ownTexts } from "../i18n/own-texts";
import { btn, h } from "./dom";
import type { Frame, Room } from "./room";

/**
 * "Call now" and the microphone line (said before the browser's own prompt, so it comes as no
 * surprise); secondary when the visitor chose the callback form.
 */
export const callNow = (room: Room, primary: boolean) => [
  btn(room.ctx.w.t.common.callNow, room.call, primary ? "pr" : "", primary ? { "data-focus": true } : {}),
  h("p", { class: "mt sm" }, room.ctx.w.t.home.micNote),
];

export const home: Frame<"home"> = {
  render(_view, room) {
    const { t } = room.ctx.w;
    const home = t.home;
    const s = room.ctx.status();
    if (!s.open) {
      const closed = h("p", { class: "st", role: "status" }, s.text);
      // The owner's closed message in this language (hours for emergencies, another number…).
      const own = ownTexts(room.ctx).closedMessage;
      const message = own ? h("p", { class: "mt" }, own) : null;
      // "Then" and "when we're open" only when an opening is coming; otherwise say it plainly.
      const coming = s.next !== null;
      return room.ctx.cfg.closedBehavior === "callback"
        ? [closed, message, room.form(coming ? home.introWhenOpen : home.intro)]
        : [
            closed,
            message ?? h("p", { class: "mt" }, coming ? home.closedThen : home.closedNow),
            btn(t.common.close, room.close),
          ];
    }
    if (room.ctx.busy && room.ctx.cfg.callable) {
      // Nobody can answer now: no "Call now" (so the microphone is never asked for); the form.
      return [h("p", { class: "st", role: "status" }, home.nobodyNow), room.form(home.introShortly)];
    }
    if (!room.canCall()) return [room.form(home.introShortly)];
    if (room.formShown()) {
      return [room.form(home.intro), h("p", { class: "mt sm" }, home.orTalkNow), ...callNow(room, false)];
    }
    return [
      h("p", { class: "mt" }, home.talkNow),
      ...callNow(room, true),
      btn(t.common.requestCallback, room.showForm),
    ];
  },
};
