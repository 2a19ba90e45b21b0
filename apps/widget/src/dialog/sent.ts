/** Sent: the callback request was accepted. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const sent: Frame<"sent"> = {
  render: (_view, room) => [
    h("p", { class: "st", role: "status" }, "Thanks — we'll call you back."),
    btn("Close", room.close),
  ],
};
