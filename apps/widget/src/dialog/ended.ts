/** Ended: the call is over, with its duration when it was answered; call again, or ask for a callback. */
import { formatDuration } from "../call-state";
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const ended: Frame<"ended"> = {
  live: "Call ended",
  render: (view, room) => [
    h(
      "p",
      { class: "st", role: "status" },
      `Call ended${view.seconds ? ` · ${formatDuration(view.seconds)}` : ""}`,
    ),
    btn("Call again", room.call, "pr", { "data-focus": true }),
    h("div", { class: "r" }, btn("Request a callback", room.showForm), btn("Close", room.close)),
  ],
};
