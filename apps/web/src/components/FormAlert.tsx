import { Alert } from "@cac/ui";
import type { ReactNode } from "react";
import type { FormErrors } from "../lib/useFormErrors";

/** The form's general error in an alert region; rate limits say how long to wait. */
export function FormAlert({ errors, children }: { errors: FormErrors; children?: ReactNode }) {
  const { error, otherMessages, alertRef } = errors;
  if (!error) return null;
  return (
    <Alert ref={alertRef} tone="error" title={error.message} actions={children}>
      {otherMessages.length > 0 ? otherMessages.map((message) => <p key={message}>{message}</p>) : null}
    </Alert>
  );
}
