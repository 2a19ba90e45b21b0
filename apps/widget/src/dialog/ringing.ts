/** Ringing: the business's phone or portal is ringing. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const ringing: Frame<"ringing"> = {
  live: "Ringing",
  render: (_view, room) => [
    h("p", { class: "big" }, "Ringing…"),
    btn("Hang up", room.hangUp, "hang", { "data-focus": true }),
  ],
};
