/** Connecting: the microphone is allowed and the call is being placed; the visitor can cancel. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const connecting: Frame<"connecting"> = {
  live: "Connecting",
  render: (_view, room) => [
    h("p", { class: "big" }, "Connecting…"),
    btn("Cancel", room.hangUp, "hang", { "data-focus": true }),
  ],
};
