import { cx } from "./cx";

export type SpinnerProps = {
  /** Read by screen readers; also shown when `showLabel` is set. */
  label?: string;
  showLabel?: boolean;
  size?: "sm" | "md" | "lg";
  className?: string;
};

export function Spinner({ label = "Loading…", showLabel = false, size = "md", className }: SpinnerProps) {
  return (
    <span className={cx("ui-spinner-wrap", className)} role="status">
      <span className={cx("ui-spinner", `ui-spinner--${size}`)} aria-hidden="true" />
      <span className={showLabel ? "ui-spinner-label" : "ui-visually-hidden"}>{label}</span>
    </span>
  );
}

/** A centered spinner for a whole region while its first data loads. */
export function LoadingBlock({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="ui-loading-block">
      <Spinner label={label} showLabel size="lg" />
    </div>
  );
}
