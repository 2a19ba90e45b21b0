/**
 * Failed: a human message for each cause (`failed.causes` in the string tables), "Try again" when a retry can fix it, and the callback
 * form when calling back is the better way (nobody answered, the line takes no browser calls…).
 */
import type { CallFailCause } from "../types";
import { btn, h } from "./dom";
import type { Frame } from "./room";

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
    const { t } = room.ctx.w;
    const s = room.ctx.status();
    const offer = !room.ctx.preview && (cause !== "closed" || room.ctx.cfg.closedBehavior === "callback");
    return [
      h(
        "p",
        { class: "st", role: "alert" },
        cause === "closed" && !s.open
          ? s.text
          : unanswered.includes(cause)
            ? t.failed.unanswered
            : t.failed.title,
      ),
      h("p", { class: "mt" }, t.failed.causes[cause]),
      h(
        "div",
        { class: "r" },
        retryable.includes(cause) ? btn(t.common.tryAgain, room.call, offer ? "" : "pr") : null,
        btn(t.common.back, () => room.send({ t: "reset" }), "", { "data-focus": true }),
      ),
      offer ? room.form(t.home.intro) : null,
    ];
  },
};
