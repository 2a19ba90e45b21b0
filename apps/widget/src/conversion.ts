/**
 * Conversion events for the page's own analytics, sent only when the button's owner opted in
 * (`cfg.conversionEvents`): each is pushed to Google Tag Manager's `window.dataLayer` as
 * `{ event: "clickandcall_…", clickandcall: { buttonId, callId? } }` and emitted to
 * `ClickAndCall("on", "clickandcall_…", fn)` listeners with the same detail. The detail holds ids
 * only, never what the visitor typed. It lives in the call chunk, which is the only code that
 * knows these moments, so the loader pays nothing for it.
 */
import type { ConversionEvent, WidgetContext } from "./types";

export function conversion(ctx: WidgetContext, name: ConversionEvent, callId?: string) {
  if (!ctx.cfg.conversionEvents || ctx.preview) return;
  const event = `clickandcall_${name}` as const;
  const detail = callId ? { buttonId: ctx.cfg.id, callId } : { buttonId: ctx.cfg.id };
  const page = window as { dataLayer?: unknown[] };
  try {
    // GTM reads events pushed before it loaded, so the array is created when missing.
    page.dataLayer ||= [];
    page.dataLayer.push({ event, clickandcall: detail });
  } catch (error) {
    // A page's `dataLayer` that is not an array must not break the call.
    console.error(error);
  }
  ctx.emit(event, detail);
}
