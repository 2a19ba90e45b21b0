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
