import { Alert, Button, ErrorState, FieldError, Skeleton } from "@cac/ui";
import { type FormEvent, useId, useState } from "react";
import { formatDateTime, formatRelative } from "../../lib/format";
import type { RouterOutputs } from "../../trpc";
import "./work.css";

export type WorkNote = RouterOutputs["callLog"]["addNote"];

/** Longest note the server takes (NOTE_MAX_LENGTH in @cac/core/domain). */
const NOTE_MAX = 2000;

type Props = {
  /** What the notes are about, for labels ("Notes on Val's request"). */
  subject: string;
  notes: WorkNote[] | undefined;
  loading: boolean;
  loadError: string | null;
  onRetry: () => void;
  /** Null when the viewer may only read (the reason is shown instead of the form). */
  onAdd: ((body: string) => Promise<unknown>) | null;
  readOnlyReason?: string;
  adding: boolean;
  addError: { message: string; field: string[] | undefined } | null;
};

/** A work item's notes, oldest first, and the form that adds one (append-only). */
export function NotesThread({
  subject,
  notes,
  loading,
  loadError,
  onRetry,
  onAdd,
  readOnlyReason,
  adding,
  addError,
}: Props) {
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const [body, setBody] = useState("");
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!onAdd) return;
    const text = body;
    // Cleared at once (the note shows optimistically); put back if the server refuses it.
    setBody("");
    try {
      await onAdd(text);
    } catch {
      setBody(text);
    }
  };
  const fieldError = addError?.field?.length ? addError.field : null;
  return (
    <section className="work-notes" aria-label={`Notes on ${subject}`}>
      {loading ? (
        <Skeleton lines={2} label="Loading notes…" />
      ) : loadError ? (
        <ErrorState title="We could not load the notes" message={loadError} onRetry={onRetry} />
      ) : notes && notes.length > 0 ? (
        <ol className="work-notes-list">
          {notes.map((note) => (
            <li key={note.id} className="work-note">
              <p className="work-note-meta">
                <span className="work-note-author">{note.author?.name ?? "Former member"}</span>{" "}
                <time dateTime={note.createdAt.toISOString()} title={formatDateTime(note.createdAt)}>
                  {formatRelative(note.createdAt)}
                </time>
              </p>
              <p className="work-note-body">{note.body}</p>
            </li>
          ))}
        </ol>
      ) : (
        <p className="muted">No notes yet.</p>
      )}
      {onAdd ? (
        <form className="work-note-form" onSubmit={submit} noValidate>
          {addError && !fieldError ? (
            <Alert tone="error" title="The note was not saved">
              {addError.message}
            </Alert>
          ) : null}
          <div className={fieldError ? "ui-field ui-field--invalid" : "ui-field"}>
            <label className="ui-label" htmlFor={`${id}-note`}>
              Add a note
            </label>
            <textarea
              id={`${id}-note`}
              className="ui-input work-note-input"
              rows={2}
              maxLength={NOTE_MAX}
              value={body}
              aria-invalid={fieldError ? true : undefined}
              aria-describedby={fieldError ? `${id}-note-error` : undefined}
              onChange={(event) => setBody(event.target.value)}
            />
            <FieldError id={fieldError ? `${id}-note-error` : undefined} messages={fieldError ?? []} />
          </div>
          <div>
            <Button type="submit" size="sm" pending={adding} pendingLabel="Saving…" disabled={!body.trim()}>
              Save note
            </Button>
          </div>
        </form>
      ) : readOnlyReason ? (
        <p className="muted work-readonly">{readOnlyReason}</p>
      ) : null}
    </section>
  );
}
