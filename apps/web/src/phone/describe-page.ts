import type { RingVisitor } from "./types";

/** The page a call came from, as the panel and its announcements name it: host and path. */
export function describePage(pageUrl: string | null): string {
  if (!pageUrl) return "an unknown page";
  try {
    const url = new URL(pageUrl);
    return `${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return pageUrl;
  }
}

/** "9:14 AM": the wall-clock time as the visitor's own clock showed it (offset not applied). */
function wallClock(localTime: string): string | null {
  const match = /T(\d{2}):(\d{2})/.exec(localTime);
  if (!match) return null;
  const hours = Number(match[1]);
  return `${hours % 12 || 12}:${match[2]} ${hours < 12 ? "AM" : "PM"}`;
}

/**
 * Who is calling, as the ring card says it: "from Google Ads, campaign spring-sale, on mobile,
 * 9:14 AM their time". Null when the widget sent nothing about the visit.
 */
export function describeVisitor(visitor: RingVisitor | null | undefined): string | null {
  if (!visitor) return null;
  const parts: string[] = [];
  if (visitor.source) parts.push(visitor.source === "Direct" ? "a direct visit" : `from ${visitor.source}`);
  if (visitor.campaign) parts.push(`campaign ${visitor.campaign}`);
  if (visitor.device) parts.push(`on ${visitor.device}`);
  const time = visitor.localTime ? wallClock(visitor.localTime) : null;
  if (time) parts.push(`${time} their time`);
  return parts.length > 0 ? parts.join(", ") : null;
}
