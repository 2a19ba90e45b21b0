import { normalizeTag, TAG_MAX_LENGTH, TAGS_MAX } from "@cac/core/domain";
import { Alert, Badge, Button, FieldError, Skeleton } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useMe } from "../../components/MeContext";
import { NotesThread, type WorkNote } from "../../components/work/NotesThread";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";

const READ_ONLY = "Only the member who answered this call, or an owner or admin, can add notes and tags.";

/**
 * A call's notes and tags, and who answered it. Changes show at once and are put back if the
 * server refuses them.
 */
export function CallWork({ callId, subject }: { callId: string; subject: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const key = trpc.callLog.work.queryKey({ id: callId });
  const work = useQuery(trpc.callLog.work.queryOptions({ id: callId }));
  const refreshList = () => queryClient.invalidateQueries({ queryKey: trpc.callLog.list.pathKey() });

  const setTags = useMutation(
    trpc.callLog.setTags.mutationOptions({
      onMutate: async ({ tags }) => {
        await queryClient.cancelQueries({ queryKey: key });
        const before = queryClient.getQueryData(key);
        queryClient.setQueryData(key, (data) => (data ? { ...data, tags } : data));
        return { before };
      },
      onError: (_error, _input, context) => queryClient.setQueryData(key, context?.before),
      onSettled: async () => {
        await queryClient.invalidateQueries({ queryKey: key });
        await refreshList();
      },
    }),
  );
  const addNote = useMutation(
    trpc.callLog.addNote.mutationOptions({
      onMutate: async ({ body }) => {
        await queryClient.cancelQueries({ queryKey: key });
        const before = queryClient.getQueryData(key);
        const pending: WorkNote = {
          id: `pending-${Date.now()}`,
          body: body.trim(),
          createdAt: new Date(),
          author: { id: me.user.id, name: me.user.name },
        };
        queryClient.setQueryData(key, (data) => (data ? { ...data, notes: [...data.notes, pending] } : data));
        return { before };
      },
      onError: (_error, _input, context) => queryClient.setQueryData(key, context?.before),
      onSettled: async () => {
        await queryClient.invalidateQueries({ queryKey: key });
        await refreshList();
      },
    }),
  );

  if (work.isPending) return <Skeleton lines={3} label="Loading notes and tags…" />;
  if (work.isError) {
    return (
      <Alert tone="error" title="We could not load this call's notes and tags">
        {describeError(work.error).message}{" "}
        <Button variant="link" size="sm" onClick={() => work.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  }
  const data = work.data;
  const noteFailure = addNote.isError ? describeError(addNote.error) : null;
  return (
    <div className="call-work">
      <p className="muted">
        {data.answeredBy
          ? `Answered by ${data.answeredBy.id === me.user.id ? "you" : data.answeredBy.name}.`
          : "Nobody answered this call."}
      </p>
      <TagEditor
        subject={subject}
        tags={data.tags}
        canEdit={data.canEdit}
        pending={setTags.isPending}
        error={setTags.isError ? describeError(setTags.error).message : null}
        onChange={(tags) => {
          setTags.reset();
          setTags.mutate({ id: callId, tags });
        }}
      />
      <NotesThread
        subject={subject}
        notes={data.notes}
        loading={false}
        loadError={null}
        onRetry={() => work.refetch()}
        onAdd={
          data.canEdit
            ? (body) => {
                addNote.reset();
                return addNote.mutateAsync({ id: callId, body });
              }
            : null
        }
        readOnlyReason={READ_ONLY}
        adding={addNote.isPending}
        addError={noteFailure ? { message: noteFailure.message, field: noteFailure.fieldErrors.body } : null}
      />
    </div>
  );
}

function TagEditor({
  subject,
  tags,
  canEdit,
  pending,
  error,
  onChange,
}: {
  subject: string;
  tags: string[];
  canEdit: boolean;
  pending: boolean;
  error: string | null;
  onChange: (tags: string[]) => void;
}) {
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const add = (event: FormEvent) => {
    event.preventDefault();
    const tag = normalizeTag(draft);
    if (!tag) return setProblem("Type a tag first.");
    if (tags.includes(tag)) return setProblem("The call has this tag already.");
    if (tags.length >= TAGS_MAX) return setProblem(`A call can have at most ${TAGS_MAX} tags.`);
    setProblem(null);
    setDraft("");
    onChange([...tags, tag]);
  };
  return (
    <div className="call-tags">
      <h3 className="ui-label">Tags</h3>
      {error ? (
        <Alert tone="error" title="The tags were not saved">
          {error}
        </Alert>
      ) : null}
      {tags.length ? (
        <ul className="work-tags" aria-label={`Tags of ${subject}`}>
          {tags.map((tag) => (
            <li key={tag} className="work-tag">
              <Badge>{tag}</Badge>
              {canEdit ? (
                <Button
                  variant="link"
                  size="sm"
                  disabled={pending}
                  onClick={() => onChange(tags.filter((t) => t !== tag))}
                >
                  Remove<span className="ui-visually-hidden"> tag {tag}</span>
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No tags.</p>
      )}
      {canEdit ? (
        <form className="work-tag-form" onSubmit={add} noValidate>
          <div className={problem ? "ui-field ui-field--invalid" : "ui-field"}>
            <label className="ui-label" htmlFor={`${id}-tag`}>
              New tag
            </label>
            <div className="ui-input-row">
              <input
                id={`${id}-tag`}
                className="ui-input"
                value={draft}
                maxLength={TAG_MAX_LENGTH}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `${id}-tag-error` : undefined}
                onChange={(event) => setDraft(event.target.value)}
              />
            </div>
            <FieldError id={problem ? `${id}-tag-error` : undefined} messages={problem ? [problem] : []} />
          </div>
          <Button type="submit" size="sm" variant="secondary" pending={pending} pendingLabel="Saving…">
            Add tag
          </Button>
        </form>
      ) : null}
    </div>
  );
}
