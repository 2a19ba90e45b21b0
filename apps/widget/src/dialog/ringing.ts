/** Ringing: the business's phone or portal is ringing. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const ringing: Frame<"ringing"> = {
  live: (t) => t.ringing.live,
  render: (
    _view,
    {
      ctx: {
        w: { t },
      },
      hangUp,
    },
  ) => [
    h("p", { class: "big" }, t.ringing.title),
    btn(t.common.hangUp, hangUp, "hang", { "data-focus": true }),
  ],
};
