/** Ended: the call is over, with its duration when it was answered. */
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
    h(
      "div",
      { class: "r" },
      btn("Close", room.close),
      btn("Back", () => room.send({ t: "reset" })),
    ),
  ],
};
