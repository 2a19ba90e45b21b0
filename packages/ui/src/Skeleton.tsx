import type { CSSProperties, ReactNode } from "react";
import { cx } from "./cx";

/*
 * Placeholders shaped like the content that is loading, so a first load keeps the page's layout
 * instead of a spinner. Each is one status region whose label screen readers announce; the shapes
 * themselves are hidden from them.
 */

function SkeletonRegion({
  label,
  className,
  children,
}: {
  label: string;
  className: string;
  children: ReactNode;
}) {
  return (
    <div className={cx("ui-skeleton", className)} role="status" aria-live="polite">
      <span className="ui-visually-hidden">{label}</span>
      <div className="ui-skeleton-shapes" aria-hidden="true">
        {children}
      </div>
    </div>
  );
}

/** 0 … count-1: placeholders have no identity of their own, their position is their key. */
function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function Tiles({ count }: { count: number }) {
  return (
    <div className="ui-skeleton-tiles">
      {range(count).map((n) => (
        <div key={n} className="ui-skeleton-tile">
          <Line width="50%" />
          <Line className="ui-skeleton-line--figure" width="35%" />
        </div>
      ))}
    </div>
  );
}

function Line({ width, className }: { width?: string; className?: string }) {
  return <span className={cx("ui-skeleton-line", className)} style={width ? { width } : undefined} />;
}

/** Lines of text. */
export function Skeleton({ lines = 3, label = "Loading…" }: { lines?: number; label?: string }) {
  return (
    <SkeletonRegion label={label} className="ui-skeleton--lines">
      {range(lines).map((i) => (
        <Line key={i} />
      ))}
    </SkeletonRegion>
  );
}

/** A list of items, each a title and a line of details (buttons, callbacks, members, sessions). */
export function ListSkeleton({ items = 3, label = "Loading…" }: { items?: number; label?: string }) {
  return (
    <SkeletonRegion label={label} className="ui-skeleton--list">
      {range(items).map((i) => (
        <div key={i} className="ui-skeleton-item">
          <span className="ui-skeleton-avatar" />
          <div className="ui-skeleton-item-text">
            <Line className="ui-skeleton-line--title" width={i % 2 ? "45%" : "60%"} />
            <Line width={i % 2 ? "80%" : "70%"} />
          </div>
        </div>
      ))}
    </SkeletonRegion>
  );
}

/** A table: a header band and `rows` rows of `columns` cells (the call log). */
export function TableSkeleton({
  rows = 6,
  columns = 5,
  label = "Loading…",
}: {
  rows?: number;
  columns?: number;
  label?: string;
}) {
  const cells = (row: number) =>
    range(columns).map((c) => <Line key={c} width={`${55 + ((row * 7 + c * 13) % 40)}%`} />);
  const columnsVar = { "--ui-skeleton-columns": columns } as CSSProperties;
  return (
    <SkeletonRegion label={label} className="ui-skeleton--table">
      <div className="ui-skeleton-row ui-skeleton-row--head" style={columnsVar}>
        {cells(0)}
      </div>
      {range(rows).map((r) => (
        <div key={r} className="ui-skeleton-row" style={columnsVar}>
          {cells(r + 1)}
        </div>
      ))}
    </SkeletonRegion>
  );
}

/** A row of figure tiles (totals, usage): a small label over a big number each. */
export function TilesSkeleton({ tiles = 3, label = "Loading…" }: { tiles?: number; label?: string }) {
  return (
    <SkeletonRegion label={label} className="ui-skeleton--tiles">
      <Tiles count={tiles} />
    </SkeletonRegion>
  );
}

/** A whole page before anything is known about it: its heading, figures and a panel of text. */
export function PageSkeleton({ label = "Loading…" }: { label?: string }) {
  return (
    <SkeletonRegion label={label} className="ui-skeleton--page">
      <Line className="ui-skeleton-line--heading" width="40%" />
      <Line width="65%" />
      <Tiles count={3} />
      <div className="ui-skeleton-panel">
        {range(4).map((i) => (
          <Line key={i} width={`${90 - i * 12}%`} />
        ))}
      </div>
    </SkeletonRegion>
  );
}
