import { ConfirmDialog } from "@cac/ui";
import type { ButtonDraft } from "./useButtonDraft";

/** Asks before leaving a button with unsaved changes. */
export function LeaveDialog({ form }: { form: ButtonDraft }) {
  const { blocker } = form;
  return (
    <ConfirmDialog
      open={blocker.state === "blocked"}
      title="Leave without saving?"
      confirmLabel="Leave without saving"
      cancelLabel="Stay on this page"
      onConfirm={() => blocker.proceed?.()}
      onCancel={() => blocker.reset?.()}
    >
      <p>Your changes to this button have not been saved.</p>
    </ConfirmDialog>
  );
}
