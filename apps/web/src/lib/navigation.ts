/**
 * The `next` parameter of the login page, accepted only as a path on this site so a crafted
 * link cannot send someone elsewhere after they log in.
 */
export function safeNextPath(next: string | null | undefined, fallback = "/"): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  if (next.startsWith("/login") || next.startsWith("/signup")) return fallback;
  return next;
}

export function loginPathFor(location: { pathname: string; search: string; hash: string }): string {
  const next = `${location.pathname}${location.search}${location.hash}`;
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}

/** Paths the server serves itself (not the portal's client routes): reached by a full page load. */
export function isServerPage(path: string): boolean {
  return path.startsWith("/try/") || path.startsWith("/exports/");
}
