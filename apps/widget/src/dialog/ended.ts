/** Ended: the call is over, with its duration when it was answered; call again, or ask for a callback. */
import { formatDuration } from "../call-state";
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const ended: Frame<"ended"> = {
  live: (t) => t.ended.live,
  render: (view, room) => {
    const { t } = room.ctx.w;
    return [
      h(
        "p",
        { class: "st", role: "status" },
        `${t.ended.title}${view.seconds ? ` · ${formatDuration(view.seconds)}` : ""}`,
      ),
      btn(t.ended.again, room.call, "pr", { "data-focus": true }),
      h("div", { class: "r" }, btn(t.common.requestCallback, room.showForm), btn(t.common.close, room.close)),
    ];
  },
};
