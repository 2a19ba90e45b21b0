/** Sent: the callback request was accepted. */
import { btn, h } from "./dom";
import type { Frame } from "./room";

export const sent: Frame<"sent"> = {
  render: (
    _view,
    {
      ctx: {
        w: { t },
      },
      close,
    },
  ) => [h("p", { class: "st", role: "status" }, t.form.sent), btn(t.common.close, close)],
};
