import { type ChangeEvent, useState } from "react";
import type { FormErrors } from "./useFormErrors";

type FieldValue = string | boolean;

/**
 * Controlled values for a form, so what people typed survives a failed submit. Binders return
 * the props a TextField or Checkbox needs, including the server's message for that field.
 */
export function useFormFields<T extends Record<string, FieldValue>>(
  initial: T | (() => T),
  errors: FormErrors,
) {
  const [values, setValues] = useState<T>(initial);

  const set = <K extends keyof T & string>(name: K, value: T[K]) => {
    setValues((current) => ({ ...current, [name]: value }));
    errors.fieldEdited(name);
  };

  const text = <K extends keyof T & string>(name: K) => ({
    name,
    value: String(values[name]),
    onChange: (event: ChangeEvent<HTMLInputElement>) => set(name, event.target.value as T[K]),
    error: errors.field(name),
  });

  const checkbox = <K extends keyof T & string>(name: K) => ({
    name,
    checked: Boolean(values[name]),
    onChange: (event: ChangeEvent<HTMLInputElement>) => set(name, event.target.checked as T[K]),
    error: errors.field(name),
  });

  return { values, setValues, set, text, checkbox };
}
