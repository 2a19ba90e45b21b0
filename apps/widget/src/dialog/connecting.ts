/** Connecting: the microphone is allowed and the call is being placed; the visitor can cancel. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const connecting: Frame<"connecting"> = {
  live: (t) => t.connecting.live,
  render: (
    _view,
    {
      ctx: {
        w: { t },
      },
      hangUp,
    },
  ) => [
    h("p", { class: "big" }, t.connecting.title),
    btn(t.common.cancel, hangUp, "hang", { "data-focus": true }),
  ],
};
