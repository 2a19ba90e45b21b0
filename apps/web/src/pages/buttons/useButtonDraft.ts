import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useMe } from "../../components/MeContext";
import { useFormErrors } from "../../lib/useFormErrors";
import { useTRPC } from "../../trpc";
import {
  type ButtonView,
  type Draft,
  draftFromView,
  draftSignature,
  hoursProblemsByDay,
  newDraft,
  toFields,
} from "./draft";
import { useLeaveGuard } from "./useLeaveGuard";

/** The fields the server names in `fieldErrors`; anything else goes in the form's alert. */
export const buttonFieldNames = [
  "name",
  "label",
  "enabled",
  "style",
  "phoneNumber",
  "ringPortal",
  "collectContext",
  "timezone",
  "hours",
  "holidays",
  "closedBehavior",
  "language",
  "texts",
  "allowedDomains",
  "conversionEvents",
] as const;

/** Which server field a draft key is validated under. */
const fieldOf = (key: keyof Draft): string =>
  ["background", "text", "size", "shape", "position", "icon"].includes(key) ? "style" : key;

/**
 * A button's working copy and its saving, shared by the editor and the new-button wizard. What
 * people type stays in the draft until it saves; a refused save shows the server's messages by
 * field and never clears the draft. `shownFields` are the fields on screen now: the server's
 * messages about any other field go in the form's alert. `otherDirty`: unsaved changes kept
 * outside the draft (the call routing), which the leave guard covers too.
 */
export function useButtonDraft(
  button: ButtonView | null,
  shownFields: readonly string[] = buttonFieldNames,
  otherDirty = false,
) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { account } = useMe();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, shownFields);

  const [draft, setDraft] = useState<Draft>(() =>
    button ? draftFromView(button) : newDraft(account.websiteUrl),
  );
  const [savedSignature, setSavedSignature] = useState(() => draftSignature(draft));
  const [checkFailed, setCheckFailed] = useState(false);
  const [savedNotice, setSavedNotice] = useState<"saved" | null>(null);
  const signature = draftSignature(draft);
  const dirty = signature !== savedSignature;

  const update = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((current) => ({ ...current, [key]: value }));
    errors.fieldEdited(fieldOf(key));
    setSavedNotice(null);
  };
  const text = (key: "name" | "label" | "phoneNumber") => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => update(key, event.target.value),
    error: errors.field(key),
  });

  // Unsaved changes: ask before leaving the page in the portal, and before closing the tab.
  const { blocker, allowLeave } = useLeaveGuard(dirty || otherDirty);

  const store = (view: ButtonView) => {
    queryClient.setQueryData(trpc.buttons.get.queryKey({ id: view.id }), view);
    void queryClient.invalidateQueries({ queryKey: trpc.buttons.list.queryKey() });
  };
  // The draft as it was sent, so a reply does not overwrite edits made while it was on its way.
  const submitted = useRef("");
  const saved = (view: ButtonView) => {
    store(view);
    const fromServer = draftFromView(view);
    setDraft((current) => (draftSignature(current) === submitted.current ? fromServer : current));
    setSavedSignature(draftSignature(fromServer));
  };
  const create = useMutation(
    trpc.buttons.create.mutationOptions({ onSuccess: saved, onError: errors.report }),
  );
  const save = useMutation(trpc.buttons.update.mutationOptions({ onSuccess: saved, onError: errors.report }));
  const pending = create.isPending || save.isPending;

  // A site allowed from the install status is saved at once; the draft takes the new domain too.
  const takeAllowed = (view: ButtonView) => {
    const fromServer = draftFromView(view);
    setDraft((current) => (dirty ? { ...current, allowedDomains: fromServer.allowedDomains } : fromServer));
    setSavedSignature(draftSignature(fromServer));
  };

  const { problems } = toFields(draft);

  /**
   * Checks the draft, then creates the button (`saveTo` null) or saves it; `onSaved` runs after
   * the server took it. Invalid fields are marked and the first one gets the focus instead.
   */
  const submit = (saveTo: ButtonView | null, onSaved?: (view: ButtonView) => void) => {
    errors.clear();
    setSavedNotice(null);
    const { fields } = toFields(draft);
    if (Object.keys(problems).length > 0) {
      setCheckFailed(true);
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setCheckFailed(false);
    submitted.current = signature;
    const done = (view: ButtonView) => {
      if (saveTo) setSavedNotice("saved");
      onSaved?.(view);
    };
    if (saveTo) save.mutate({ id: saveTo.id, fields }, { onSuccess: done });
    else create.mutate(fields, { onSuccess: done });
  };

  return {
    draft,
    update,
    text,
    errors,
    formRef,
    dirty,
    problems,
    hoursProblems: hoursProblemsByDay(draft),
    checkFailed,
    savedNotice,
    setSavedNotice,
    submit,
    pending,
    takeAllowed,
    blocker,
    allowLeave,
  };
}

export type ButtonDraft = ReturnType<typeof useButtonDraft>;
