import type { ReactNode } from "react";

/**
 * The bordered region a `ui-table` sits in. On narrow screens it scrolls sideways, so it is
 * focusable and labelled: keyboard users can reach it to scroll it.
 */
export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard to scroll it
    <section className="ui-table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
