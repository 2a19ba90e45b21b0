import { type ReactNode, useEffect, useId, useRef } from "react";
import { Alert } from "./Alert";
import { Button } from "./Button";

export type ConfirmDialogProps = {
  open: boolean;
  title: ReactNode;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  /** `danger` for deleting or discarding something. */
  tone?: "danger" | "primary";
  /** The confirmed action is running: the buttons are disabled and Escape does nothing. */
  pending?: boolean;
  pendingLabel?: string;
  /** Why the confirmed action failed; the dialog stays open so it can be retried. */
  error?: ReactNode;
  onConfirm: () => void;
  onCancel: () => void;
  /**
   * Where focus goes once the dialog closes. By default it returns to the element that had focus
   * when it opened; pass this when that element may be gone (e.g. the row that was deleted).
   */
  returnFocus?: () => HTMLElement | null | undefined;
};

export type ModalProps = {
  open: boolean;
  title: ReactNode;
  children?: ReactNode;
  /** Read out with the title (the dialog's accessible description). */
  description?: ReactNode;
  /** `alertdialog` for a question about something that cannot be undone. */
  role?: "dialog" | "alertdialog";
  /** While true, Escape does nothing (an action is running). */
  busy?: boolean;
  /** Escape, or the caller's own Cancel button: the parent closes it (it owns `open`). */
  onClose: () => void;
  /** What gets focus when it opens; by default the first field or button in it. */
  initialFocus?: (dialog: HTMLDialogElement) => HTMLElement | null | undefined;
  /**
   * Where focus goes once the dialog closes. By default it returns to the element that had focus
   * when it opened; pass this when that element may be gone (e.g. the row that was deleted).
   */
  returnFocus?: () => HTMLElement | null | undefined;
  className?: string;
};

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog (native `<dialog>` with `showModal()`: the rest of the page is inert). Focus
 * starts inside, Tab and Shift+Tab cycle within it, Escape asks the parent to close it, and focus
 * goes back where it was once it closes.
 */
export function Modal({
  open,
  title,
  children,
  description,
  role,
  busy = false,
  onClose,
  initialFocus,
  returnFocus,
  className,
}: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const previous = useRef<HTMLElement | null>(null);
  const latest = useRef({ initialFocus, returnFocus });
  latest.current = { initialFocus, returnFocus };
  const id = useId();
  const titleId = `${id}-title`;
  const descriptionId = `${id}-description`;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      previous.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      const first = latest.current.initialFocus?.(dialog) ?? dialog.querySelector<HTMLElement>(FOCUSABLE);
      first?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const target = latest.current.returnFocus?.() ?? previous.current;
      if (target?.isConnected) target.focus();
    }
  }, [open]);

  // Closed when unmounted while open (e.g. the page navigated away).
  useEffect(() => () => ref.current?.close(), []);

  return (
    <dialog
      ref={ref}
      className={className ? `ui-dialog ${className}` : "ui-dialog"}
      role={role === "alertdialog" ? "alertdialog" : undefined}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        // Escape: the parent decides (it owns `open`); never close while the action runs.
        event.preventDefault();
        if (!busy) onClose();
      }}
      onKeyDown={(event) => {
        // Tab stays inside: past the last control to the first, and back.
        if (event.key !== "Tab") return;
        const controls = [...event.currentTarget.querySelectorAll<HTMLElement>(FOCUSABLE)];
        const first = controls[0];
        const last = controls.at(-1);
        if (!first || !last) return;
        if (event.shiftKey && document.activeElement === first) {
          event.preventDefault();
          last.focus();
        } else if (!event.shiftKey && document.activeElement === last) {
          event.preventDefault();
          first.focus();
        }
      }}
    >
      <h2 className="ui-dialog-title" id={titleId}>
        {title}
      </h2>
      {description ? (
        <div className="ui-dialog-body" id={descriptionId}>
          {description}
        </div>
      ) : null}
      {children}
    </dialog>
  );
}

/**
 * A modal question (a Modal). Focus starts on Cancel, the safe choice, and goes back where it was
 * when the dialog closes.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = "Cancel",
  tone = "danger",
  pending = false,
  pendingLabel,
  error,
  onConfirm,
  onCancel,
  returnFocus,
}: ConfirmDialogProps) {
  return (
    <Modal
      open={open}
      title={title}
      description={children}
      role={tone === "danger" ? "alertdialog" : "dialog"}
      busy={pending}
      onClose={onCancel}
      initialFocus={(dialog) => dialog.querySelector<HTMLElement>(".ui-dialog-cancel")}
      returnFocus={returnFocus}
    >
      {error ? <Alert tone="error">{error}</Alert> : null}
      <div className="ui-dialog-actions">
        <Button className="ui-dialog-cancel" variant="secondary" onClick={onCancel} disabled={pending}>
          {cancelLabel}
        </Button>
        <Button
          variant={tone === "danger" ? "danger" : "primary"}
          onClick={onConfirm}
          pending={pending}
          pendingLabel={pendingLabel}
        >
          {confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
