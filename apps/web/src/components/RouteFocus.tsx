import { useEffect, useRef } from "react";
import { useLocation } from "react-router";

/**
 * Client-side navigation does not move focus the way a page load does, so screen reader and
 * keyboard users would stay on the link they pressed. Move focus to the new page's heading.
 */
export function RouteFocus() {
  const { pathname } = useLocation();
  // The first page load needs nothing: the browser starts at the top of the document.
  const shown = useRef(pathname);
  useEffect(() => {
    if (shown.current === pathname) return;
    shown.current = pathname;
    const target = document.querySelector<HTMLElement>("main h1") ?? document.getElementById("main");
    target?.focus({ preventScroll: true });
  }, [pathname]);
  return null;
}
