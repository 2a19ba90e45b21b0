import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import { describeError, type ErrorInfo } from "./errors";

/**
 * Server errors for one form: field messages shown next to their inputs until the field is
 * edited, and a general message for the alert region. After a failed submit, focus moves to
 * the first invalid field, or to the alert when no field is to blame.
 */
export function useFormErrors(formRef: RefObject<HTMLFormElement | null>, knownFields: readonly string[]) {
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const alertRef = useRef<HTMLDivElement>(null);
  const focusPending = useRef(false);

  useEffect(() => {
    if (!error || !focusPending.current) return;
    focusPending.current = false;
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (invalid ?? alertRef.current)?.focus();
  }, [error, formRef]);

  const report = useCallback((cause: unknown) => {
    focusPending.current = true;
    setEdited(new Set());
    setError(describeError(cause));
  }, []);

  const clear = useCallback(() => {
    setError(null);
    setEdited(new Set());
  }, []);

  const field = (name: string): string[] | undefined =>
    edited.has(name) ? undefined : error?.fieldErrors[name];

  const fieldEdited = (name: string) => {
    if (error?.fieldErrors[name] && !edited.has(name)) setEdited(new Set(edited).add(name));
  };

  // Messages about fields this form does not show (e.g. a link's token) go in the alert.
  const otherMessages = error
    ? Object.entries(error.fieldErrors)
        .filter(([name]) => !knownFields.includes(name))
        .flatMap(([, messages]) => messages)
    : [];

  return { error, alertRef, report, clear, field, fieldEdited, otherMessages };
}

export type FormErrors = ReturnType<typeof useFormErrors>;
