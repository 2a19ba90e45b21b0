import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useId, useState } from "react";
import { cx } from "./cx";

export type FieldMessages = string | readonly string[] | null | undefined;

function messagesOf(error: FieldMessages): string[] {
  if (!error) return [];
  return typeof error === "string" ? [error] : [...error];
}

type FieldIds = { inputId: string; hintId: string | undefined; errorId: string | undefined };

function useFieldIds(id: string | undefined, hasHint: boolean, hasError: boolean): FieldIds {
  const generated = useId();
  const inputId = id ?? `f${generated.replace(/[^a-zA-Z0-9_-]/g, "")}`;
  return {
    inputId,
    hintId: hasHint ? `${inputId}-hint` : undefined,
    errorId: hasError ? `${inputId}-error` : undefined,
  };
}

function describedBy(...ids: Array<string | undefined>) {
  const joined = ids.filter(Boolean).join(" ");
  return joined || undefined;
}

export function FieldError({ id, messages }: { id: string | undefined; messages: string[] }) {
  if (!id || messages.length === 0) return null;
  return (
    <p className="ui-field-error" id={id}>
      <svg aria-hidden="true" viewBox="0 0 16 16" className="ui-field-error-icon">
        <path
          fill="currentColor"
          d="M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm-.75 3.5h1.5v5h-1.5v-5Zm0 6.25h1.5v1.5h-1.5v-1.5Z"
        />
      </svg>
      <span>{messages.join(" ")}</span>
    </p>
  );
}

export type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "children"> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: FieldMessages;
  /** Placed inside the input's row, after the input (e.g. a show-password toggle). */
  trailing?: ReactNode;
};

/** A labelled input with its hint and error wired to `aria-describedby` and `aria-invalid`. */
export function TextField({
  label,
  hint,
  error,
  trailing,
  id,
  className,
  required,
  ...input
}: TextFieldProps) {
  const messages = messagesOf(error);
  const ids = useFieldIds(id, Boolean(hint), messages.length > 0);
  return (
    <div className={cx("ui-field", messages.length > 0 && "ui-field--invalid", className)}>
      <label className="ui-label" htmlFor={ids.inputId}>
        {label}
        {required ? null : <span className="ui-label-optional"> (optional)</span>}
      </label>
      {hint ? (
        <p className="ui-hint" id={ids.hintId}>
          {hint}
        </p>
      ) : null}
      <div className="ui-input-row">
        <input
          {...input}
          id={ids.inputId}
          className="ui-input"
          aria-required={required || undefined}
          aria-invalid={messages.length > 0 || undefined}
          aria-describedby={describedBy(ids.errorId, ids.hintId)}
        />
        {trailing}
      </div>
      <FieldError id={ids.errorId} messages={messages} />
    </div>
  );
}

export type PasswordFieldProps = Omit<TextFieldProps, "type" | "trailing">;

/** A password input with a Show/Hide toggle, so people can check what they typed. */
export function PasswordField({ id, ...props }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const generated = useId();
  const inputId = id ?? `p${generated.replace(/[^a-zA-Z0-9_-]/g, "")}`;
  return (
    <TextField
      {...props}
      id={inputId}
      type={visible ? "text" : "password"}
      autoCapitalize="off"
      autoCorrect="off"
      spellCheck={false}
      trailing={
        <button
          type="button"
          className="ui-input-toggle"
          aria-controls={inputId}
          aria-pressed={visible}
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? "Hide" : "Show"}
          <span className="ui-visually-hidden"> password</span>
        </button>
      }
    />
  );
}

export type CheckboxProps = Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "children"> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: FieldMessages;
};

export function Checkbox({ label, hint, error, id, className, required, ...input }: CheckboxProps) {
  const messages = messagesOf(error);
  const ids = useFieldIds(id, Boolean(hint), messages.length > 0);
  return (
    <div className={cx("ui-field ui-check", messages.length > 0 && "ui-field--invalid", className)}>
      <div className="ui-check-row">
        <input
          {...input}
          type="checkbox"
          id={ids.inputId}
          className="ui-checkbox"
          aria-required={required || undefined}
          aria-invalid={messages.length > 0 || undefined}
          aria-describedby={describedBy(ids.errorId, ids.hintId)}
        />
        <label className="ui-check-label" htmlFor={ids.inputId}>
          {label}
        </label>
      </div>
      {hint ? (
        <p className="ui-hint ui-check-hint" id={ids.hintId}>
          {hint}
        </p>
      ) : null}
      <FieldError id={ids.errorId} messages={messages} />
    </div>
  );
}

export type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "children"> & {
  label: ReactNode;
  hint?: ReactNode;
  error?: FieldMessages;
  /** The `<option>` and `<optgroup>` elements. */
  children: ReactNode;
};

/** A labelled native `<select>`, wired like TextField (hint, error, aria-invalid). */
export function SelectField({
  label,
  hint,
  error,
  id,
  className,
  required,
  children,
  ...select
}: SelectFieldProps) {
  const messages = messagesOf(error);
  const ids = useFieldIds(id, Boolean(hint), messages.length > 0);
  return (
    <div className={cx("ui-field", messages.length > 0 && "ui-field--invalid", className)}>
      <label className="ui-label" htmlFor={ids.inputId}>
        {label}
      </label>
      {hint ? (
        <p className="ui-hint" id={ids.hintId}>
          {hint}
        </p>
      ) : null}
      <div className="ui-input-row">
        <select
          {...select}
          id={ids.inputId}
          className="ui-input ui-select"
          aria-required={required || undefined}
          aria-invalid={messages.length > 0 || undefined}
          aria-describedby={describedBy(ids.errorId, ids.hintId)}
        >
          {children}
        </select>
      </div>
      <FieldError id={ids.errorId} messages={messages} />
    </div>
  );
}

export type SwitchProps = Omit<InputHTMLAttributes<HTMLInputElement>, "type" | "children" | "role"> & {
  label: ReactNode;
  /** Keep the label for screen readers only (e.g. in a table row that names the item). */
  hideLabel?: boolean;
};

/** An on/off switch: a real checkbox with `role="switch"`, so it keeps keyboard and form behaviour. */
export function Switch({ label, hideLabel = false, className, ...input }: SwitchProps) {
  return (
    <label className={cx("ui-switch", className)}>
      <input
        {...input}
        type="checkbox"
        role="switch"
        aria-checked={Boolean(input.checked)}
        className="ui-switch-input"
      />
      <span className="ui-switch-track" aria-hidden="true" />
      <span className={hideLabel ? "ui-visually-hidden" : "ui-switch-label"}>{label}</span>
    </label>
  );
}
