import type { ReactNode, Ref } from "react";
import { cx } from "./cx";

export type Tone = "info" | "success" | "warning" | "error";

const icons: Record<Tone, string> = {
  info: "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm.75 10.5h-1.5v-4h1.5v4Zm0-5.5h-1.5V4.5h1.5V6Z",
  success: "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm-1 10.2L3.8 8l1.06-1.06L7 9.08l4.14-4.14L12.2 6 7 11.2Z",
  warning:
    "M8.87 1.5a1 1 0 0 0-1.74 0L.6 13a1 1 0 0 0 .87 1.5h13.06a1 1 0 0 0 .87-1.5L8.87 1.5ZM8.75 12h-1.5v-1.5h1.5V12Zm0-3h-1.5V5h1.5v4Z",
  error: "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm-.75 3.5h1.5v5h-1.5v-5Zm0 6.25h1.5v1.5h-1.5v-1.5Z",
};

export function ToneIcon({ tone, className }: { tone: Tone; className?: string }) {
  return (
    <svg aria-hidden="true" viewBox="0 0 16 16" className={cx("ui-tone-icon", className)}>
      <path fill="currentColor" d={icons[tone]} />
    </svg>
  );
}

export type AlertProps = {
  tone?: Tone;
  title?: ReactNode;
  children?: ReactNode;
  actions?: ReactNode;
  className?: string;
  ref?: Ref<HTMLDivElement>;
};

/**
 * A message about the page or a form. Errors use role="alert" so they are announced at once;
 * other tones are polite status messages. Focusable so a form can move focus to it.
 */
export function Alert({ tone = "info", title, children, actions, className, ref }: AlertProps) {
  return (
    <div
      ref={ref}
      tabIndex={-1}
      role={tone === "error" ? "alert" : "status"}
      className={cx("ui-alert", `ui-alert--${tone}`, className)}
    >
      <ToneIcon tone={tone} className="ui-alert-icon" />
      <div className="ui-alert-body">
        {title ? <p className="ui-alert-title">{title}</p> : null}
        {children ? <div className="ui-alert-text">{children}</div> : null}
        {actions ? <div className="ui-alert-actions">{actions}</div> : null}
      </div>
    </div>
  );
}

export type BannerProps = {
  tone?: Exclude<Tone, "error"> | "neutral";
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
  /** Landmark label, e.g. "Email confirmation". */
  label?: string;
};

/** A full-width strip above the page content for account-wide notices. */
export function Banner({ tone = "info", children, actions, className, label }: BannerProps) {
  return (
    <section aria-label={label} className={cx("ui-banner", `ui-banner--${tone}`, className)}>
      <div className="ui-banner-inner">
        {tone === "neutral" ? null : <ToneIcon tone={tone} className="ui-banner-icon" />}
        <div className="ui-banner-text">{children}</div>
        {actions ? <div className="ui-banner-actions">{actions}</div> : null}
      </div>
    </section>
  );
}

export type BadgeProps = { tone?: Tone | "neutral"; children: ReactNode; className?: string };

export function Badge({ tone = "neutral", children, className }: BadgeProps) {
  return <span className={cx("ui-badge", `ui-badge--${tone}`, className)}>{children}</span>;
}
