import { z } from "zod";
import { text } from "./validation";
import { visitorSource } from "./visitor-source";

/** Caps on what the widget may send about a visit: anything longer is refused (400), never cut. */
export const VISITOR_CONTEXT_LIMITS = { referrer: 512, utm: 100, gclid: 200 } as const;

const utm = (name: string) =>
  text()
    .trim()
    .max(
      VISITOR_CONTEXT_LIMITS.utm,
      `${name} is too long (at most ${VISITOR_CONTEXT_LIMITS.utm} characters).`,
    )
    .optional();

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** "2026-12-02T09:14:00-05:00": the visitor's wall-clock time with its UTC offset. */
const LOCAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?([+-]\d{2}:\d{2}|Z)$/;

/**
 * What the widget tells about the visitor with `calls.start` and `widget.requestCallback` (when
 * the button collects it): the visit's first cross-origin referrer, the landing URL's campaign
 * parameters, the device class and the visitor's local time. Every value is optional.
 */
export const visitorContextSchema = z.object({
  referrer: text()
    .trim()
    .max(
      VISITOR_CONTEXT_LIMITS.referrer,
      `The referrer is too long (at most ${VISITOR_CONTEXT_LIMITS.referrer} characters).`,
    )
    .refine((value) => value === "" || isHttpUrl(value), {
      message: "The referrer must be an http(s) URL.",
    })
    .optional(),
  utmSource: utm("utm_source"),
  utmMedium: utm("utm_medium"),
  utmCampaign: utm("utm_campaign"),
  utmTerm: utm("utm_term"),
  utmContent: utm("utm_content"),
  gclid: text()
    .trim()
    .max(
      VISITOR_CONTEXT_LIMITS.gclid,
      `gclid is too long (at most ${VISITOR_CONTEXT_LIMITS.gclid} characters).`,
    )
    .optional(),
  device: z.enum(["mobile", "desktop"], { error: "The device must be mobile or desktop." }).optional(),
  localTime: text()
    .trim()
    .refine((value) => LOCAL_TIME.test(value) && !Number.isNaN(Date.parse(value)), {
      message: "The local time must be an ISO date and time with its UTC offset.",
    })
    .optional(),
});

export type VisitorContext = z.infer<typeof visitorContextSchema>;

/** The visitor-context columns of a call session or callback request (drizzle names). */
export type VisitorContextColumns = {
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  gclid: string | null;
  device: string | null;
  visitorLocalTime: string | null;
  source: string | null;
};

/**
 * The columns to store for what the widget sent. Nothing sent (the button does not collect it, or
 * a widget from before) leaves every column null, the source included: unknown, not "Direct".
 */
export function visitorContextColumns(context: VisitorContext | null | undefined): VisitorContextColumns {
  const value = (v: string | undefined) => (v ? v : null);
  if (!context) {
    return {
      referrer: null,
      utmSource: null,
      utmMedium: null,
      utmCampaign: null,
      utmTerm: null,
      utmContent: null,
      gclid: null,
      device: null,
      visitorLocalTime: null,
      source: null,
    };
  }
  return {
    referrer: value(context.referrer),
    utmSource: value(context.utmSource),
    utmMedium: value(context.utmMedium),
    utmCampaign: value(context.utmCampaign),
    utmTerm: value(context.utmTerm),
    utmContent: value(context.utmContent),
    gclid: value(context.gclid),
    device: value(context.device),
    visitorLocalTime: value(context.localTime),
    source: visitorSource(context),
  };
}
