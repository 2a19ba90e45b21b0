import { text } from "drizzle-orm/pg-core";

/**
 * What the widget tells about the visitor with a call or a callback request (when the button
 * collects it): the visit's referrer and landing-URL campaign parameters, the device class, the
 * visitor's local time, and the language the widget spoke. Null when not sent. Kept, exported and
 * deleted exactly like the record it belongs to.
 */
export const visitorContextColumns = () => ({
  // "en" | "es": the language the widget showed the visitor.
  language: text(),
  referrer: text(),
  utmSource: text(),
  utmMedium: text(),
  utmCampaign: text(),
  utmTerm: text(),
  utmContent: text(),
  gclid: text(),
  // "mobile" | "desktop"
  device: text(),
  // The visitor's wall-clock time and UTC offset when they acted, e.g. "2026-12-02T09:14:00-05:00".
  visitorLocalTime: text(),
  // Where the visit came from, derived once at insert from the fields above (e.g. "Google Ads",
  // "google / cpc", "facebook.com", "Direct"): what the log's source filter and report group by.
  source: text(),
});
