/** Permission: the browser is asking for the microphone; the visitor can still cancel. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const permission: Frame<"permission"> = {
  live: (t) => t.permission.live,
  render: (
    _view,
    {
      ctx: {
        w: { t },
      },
      hangUp,
    },
  ) => [
    h("p", { class: "st" }, t.permission.title),
    h("p", { class: "mt" }, `${t.home.micNote} ${t.permission.allow}`),
    btn(t.common.cancel, hangUp, "", { "data-focus": true }),
  ],
};
