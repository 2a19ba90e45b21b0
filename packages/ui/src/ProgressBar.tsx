import { type ReactNode, useId } from "react";
import { cx } from "./cx";

export type ProgressBarProps = {
  /** The accessible name, shown above the bar unless `hideLabel` is set. */
  label: ReactNode;
  hideLabel?: boolean;
  value: number;
  max: number;
  /** What a screen reader says instead of a bare percentage, e.g. "42 of 60 minutes". */
  valueText?: string;
  /** Shown at the right of the label (e.g. "42 / 60 min"). */
  detail?: ReactNode;
  /** Unknown progress (nothing known yet): an animated bar without a value. */
  indeterminate?: boolean;
  tone?: "primary" | "warning" | "danger";
  className?: string;
  id?: string;
};

/** A labelled progress bar (role="progressbar") for quotas and long-running work. */
export function ProgressBar({
  label,
  hideLabel = false,
  value,
  max,
  valueText,
  detail,
  indeterminate = false,
  tone = "primary",
  className,
  id,
}: ProgressBarProps) {
  const safeMax = max > 0 ? max : 1;
  const clamped = Math.min(Math.max(value, 0), safeMax);
  const percent = (clamped / safeMax) * 100;
  const generated = useId();
  const labelId = `${id ?? `p${generated.replace(/[^a-zA-Z0-9_-]/g, "")}`}-label`;
  return (
    <div className={cx("ui-progress", `ui-progress--${tone}`, className)} id={id}>
      <div className={hideLabel ? "ui-visually-hidden" : "ui-progress-header"}>
        <span className="ui-progress-label" id={labelId}>
          {label}
        </span>
        {detail ? <span className="ui-progress-detail">{detail}</span> : null}
      </div>
      <div
        className={cx("ui-progress-track", indeterminate && "ui-progress-track--indeterminate")}
        role="progressbar"
        aria-labelledby={labelId}
        aria-valuemin={indeterminate ? undefined : 0}
        aria-valuemax={indeterminate ? undefined : safeMax}
        aria-valuenow={indeterminate ? undefined : clamped}
        aria-valuetext={indeterminate ? undefined : valueText}
      >
        <span className="ui-progress-fill" style={indeterminate ? undefined : { width: `${percent}%` }} />
      </div>
    </div>
  );
}
