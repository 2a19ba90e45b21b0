/**
 * Connected: the call's duration (ticking every second), Mute and Keypad as toggle buttons
 * (`aria-pressed`), the keypad's digits sent as DTMF and echoed in a polite live region, Hang up.
 */
import { formatDuration } from "../call-state";
import { btn, h } from "./dom";
import type { Frame } from "./room";

/** Seconds since `since` (epoch ms), as "1:15". */
export const elapsed = (since: number, now = Date.now()) =>
  formatDuration(Math.max(0, Math.floor((now - since) / 1000)));

export const connected: Frame<"connected"> = {
  live: (t) => t.connected.live,
  render(view, room) {
    const { t } = room.ctx.w;
    const time = h("span", { class: "tm" }, elapsed(view.since));
    room.tick(() => {
      time.textContent = elapsed(view.since);
    });
    const keypad = view.keypad
      ? [
          h("p", { class: "dg", "aria-live": "polite" }, view.digits),
          h(
            "div",
            { class: "kp", role: "group", "aria-label": t.connected.keypad },
            ..."123456789*0#".split("").map((digit) =>
              btn(digit, () => {
                room.session()?.dtmf(digit);
                room.send({ t: "digit", digit });
              }),
            ),
          ),
        ]
      : [];
    return [
      h("p", { class: "ctr mt" }, t.connected.title),
      h("p", { class: "big", "aria-label": t.connected.duration }, time),
      ...keypad,
      h(
        "div",
        { class: "r" },
        btn(
          t.connected.mute,
          () => {
            room.session()?.mute(!view.muted);
            room.send({ t: "mute" });
          },
          "",
          { "aria-pressed": String(view.muted) },
        ),
        btn(t.connected.keypad, () => room.send({ t: "keypad" }), "", {
          "aria-pressed": String(view.keypad),
        }),
      ),
      btn(t.common.hangUp, room.hangUp, "hang"),
    ];
  },
};
