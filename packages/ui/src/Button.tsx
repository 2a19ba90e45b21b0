import type { ButtonHTMLAttributes } from "react";
import { cx } from "./cx";

export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost" | "link";
export type ButtonSize = "sm" | "md";

export type ButtonStyle = { variant?: ButtonVariant; size?: ButtonSize; fullWidth?: boolean };

/** The button look, for router links that should look like buttons. */
export function buttonClass({ variant = "primary", size = "md", fullWidth = false }: ButtonStyle = {}) {
  return cx("ui-button", `ui-button--${variant}`, `ui-button--${size}`, fullWidth && "ui-button--full");
}

export type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> &
  ButtonStyle & {
    /** Disables the button and shows `pendingLabel` with a spinner while a request runs. */
    pending?: boolean;
    pendingLabel?: string;
  };

export function Button({
  variant,
  size,
  fullWidth,
  pending = false,
  pendingLabel = "Saving…",
  className,
  children,
  disabled,
  type = "button",
  ...rest
}: ButtonProps) {
  return (
    <button
      {...rest}
      type={type}
      className={cx(buttonClass({ variant, size, fullWidth }), pending && "ui-button--pending", className)}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
    >
      {pending ? (
        <>
          <span className="ui-button-spinner" aria-hidden="true" />
          <span>{pendingLabel}</span>
        </>
      ) : (
        children
      )}
    </button>
  );
}
