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

/**
 * A modal question (native `<dialog>` with `showModal()`: the rest of the page is inert, focus
 * stays inside, Escape cancels). Focus starts on Cancel, the safe choice, and goes back where it
 * was when the dialog closes.
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
  const ref = useRef<HTMLDialogElement>(null);
  const previous = useRef<HTMLElement | null>(null);
  const returnFocusRef = useRef(returnFocus);
  returnFocusRef.current = returnFocus;
  const id = useId();
  const titleId = `${id}-title`;
  const bodyId = `${id}-body`;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      previous.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
      dialog.querySelector<HTMLButtonElement>(".ui-dialog-cancel")?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      const target = returnFocusRef.current?.() ?? previous.current;
      if (target?.isConnected) target.focus();
    }
  }, [open]);

  // Closed when unmounted while open (e.g. the page navigated away).
  useEffect(() => () => ref.current?.close(), []);

  return (
    <dialog
      ref={ref}
      className="ui-dialog"
      role={tone === "danger" ? "alertdialog" : undefined}
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      onCancel={(event) => {
        // Escape: the parent decides (it owns `open`); never close while the action runs.
        event.preventDefault();
        if (!pending) onCancel();
      }}
    >
      <h2 className="ui-dialog-title" id={titleId}>
        {title}
      </h2>
      {children ? (
        <div className="ui-dialog-body" id={bodyId}>
          {children}
        </div>
      ) : null}
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
    </dialog>
  );
}
