import { useEffect } from "react";

/** Sets the document title so each page is named in tabs, history and screen readers. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Click & Call`;
  }, [title]);
}
