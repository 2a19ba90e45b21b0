import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMe } from "../../components/MeContext";
import { NotesThread, type WorkNote } from "../../components/work/NotesThread";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";

/** A callback request's notes; every member may add one. Shown optimistically, rolled back on error. */
export function CallbackNotes({ id, subject }: { id: string; subject: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const notesKey = trpc.callbacks.notes.queryKey({ id });
  const notes = useQuery(trpc.callbacks.notes.queryOptions({ id }));
  const add = useMutation(
    trpc.callbacks.addNote.mutationOptions({
      onMutate: async ({ body }) => {
        await queryClient.cancelQueries({ queryKey: notesKey });
        const before = queryClient.getQueryData(notesKey);
        const pending: WorkNote = {
          id: `pending-${Date.now()}`,
          body: body.trim(),
          createdAt: new Date(),
          author: { id: me.user.id, name: me.user.name },
        };
        queryClient.setQueryData(notesKey, (data) => ({ items: [...(data?.items ?? []), pending] }));
        return { before };
      },
      onError: (_error, _input, context) => queryClient.setQueryData(notesKey, context?.before),
      onSettled: async () => {
        await queryClient.invalidateQueries({ queryKey: notesKey });
        // The list shows how many notes each request has.
        await queryClient.invalidateQueries({ queryKey: trpc.callbacks.list.pathKey() });
      },
    }),
  );
  const failure = add.isError ? describeError(add.error) : null;
  return (
    <NotesThread
      subject={subject}
      notes={notes.data?.items}
      loading={notes.isPending}
      loadError={notes.isError ? describeError(notes.error).message : null}
      onRetry={() => notes.refetch()}
      onAdd={(body) => {
        add.reset();
        return add.mutateAsync({ id, body });
      }}
      adding={add.isPending}
      addError={failure ? { message: failure.message, field: failure.fieldErrors.body } : null}
    />
  );
}
