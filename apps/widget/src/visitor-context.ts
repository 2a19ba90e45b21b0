/**
 * Who is calling, sent with `calls.start` and `widget.requestCallback` when the button collects it:
 * the visit's landing referrer (cross-origin only) and campaign parameters, which the loader kept
 * for the tab in sessionStorage (`cc`: "<referrer> <landing query>", the first landing wins), the
 * device class, and the visitor's local time with its offset. Values are cut to the server's caps
 * and cleared of control characters here, so a long or odd landing URL never refuses a call.
 */
import type { Input } from "./transport-api";
import type { PublicButtonConfig } from "./types";

export type VisitorContextInput = NonNullable<Input<"calls.start">["context"]>;

const params = {
  utmSource: "utm_source",
  utmMedium: "utm_medium",
  utmCampaign: "utm_campaign",
  utmTerm: "utm_term",
  utmContent: "utm_content",
  gclid: "gclid",
} as const;

/** Without control characters (the server refuses them), trimmed, and at most `max` long. */
const clean = (value: string, max: number) =>
  [...value]
    .filter((c) => c > "\u001f" && (c < "\u007f" || c > "\u009f"))
    .join("")
    .trim()
    .slice(0, max);

const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");

/** "2026-12-02T09:14:05-05:00": the wall clock here, with its UTC offset. */
export function localTime(d = new Date()): string {
  const offset = -d.getTimezoneOffset();
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:` +
    `${pad(d.getSeconds())}${offset < 0 ? "-" : "+"}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** A touch-first or narrow screen is a phone, for the agent ("on mobile"). */
export function deviceClass(): "mobile" | "desktop" {
  return matchMedia("(pointer: coarse)").matches || innerWidth < 768 ? "mobile" : "desktop";
}

/** The referrer if it is another site's http(s) page, cut to 512 characters (its query first). */
function crossOriginReferrer(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    if (!/^https?:$/.test(url.protocol) || url.origin === location.origin) return undefined;
    const whole = clean(url.href, 1e4);
    return whole.length <= 512 ? whole : clean(url.origin + url.pathname, 512);
  } catch {
    return undefined;
  }
}

/** What to send for this visit, or undefined when the button does not collect it. */
export function visitorContext(
  cfg: Pick<PublicButtonConfig, "collectContext">,
): VisitorContextInput | undefined {
  if (!cfg.collectContext) return undefined;
  let kept = "";
  try {
    kept = sessionStorage.cc || "";
  } catch {
    // Storage blocked: no referrer or campaign, the rest still helps.
  }
  const space = kept.indexOf(" ");
  const query = new URLSearchParams(space < 0 ? "" : kept.slice(space + 1));
  const context: VisitorContextInput = { device: deviceClass(), localTime: localTime() };
  const referrer = crossOriginReferrer(space < 0 ? kept : kept.slice(0, space));
  if (referrer) context.referrer = referrer;
  for (const [key, name] of Object.entries(params) as [keyof typeof params, string][]) {
    const value = clean(query.get(name) ?? "", key === "gclid" ? 200 : 100);
    if (value) context[key] = value;
  }
  return context;
}
