/** Permission: the browser is asking for the microphone; the visitor can still cancel. */
import { btn, h } from "./dom";
import { micNote } from "./home";
import type { Frame } from "./room";

export const permission: Frame<"permission"> = {
  live: "Waiting for microphone permission",
  render: (_view, room) => [
    h("p", { class: "st" }, "Allow your microphone"),
    h("p", { class: "mt" }, `${micNote} Choose Allow to start the call.`),
    btn("Cancel", room.hangUp, "", { "data-focus": true }),
  ],
};
