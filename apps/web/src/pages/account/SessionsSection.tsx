import { Alert, Button, Card, ErrorState, ListSkeleton } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLeave } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import { SessionRow } from "./SessionRow";

/** Where the user is logged in, with a way out for each device and for all the others. */
export function SessionsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const leave = useLeave();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
  const revoke = useMutation(
    trpc.account.revokeSession.mutationOptions({
      onSuccess: (result) => {
        if (result.current) {
          leave();
          return;
        }
        return refresh();
      },
    }),
  );
  const revokeOthers = useMutation(trpc.account.revokeOtherSessions.mutationOptions({ onSuccess: refresh }));
  const others = sessions.data?.filter((session) => !session.current).length ?? 0;
  const actionError = revoke.error ?? revokeOthers.error;

  return (
    <Card
      id="sessions"
      title="Sessions"
      description="Devices where you are logged in. Log out any you do not recognise."
      actions={
        <Button
          variant="danger"
          size="sm"
          disabled={others === 0}
          onClick={() => {
            revoke.reset();
            revokeOthers.mutate();
          }}
          pending={revokeOthers.isPending}
          pendingLabel="Logging out…"
        >
          Log out other sessions
        </Button>
      }
    >
      <div className="stack">
        <div aria-live="polite">
          {revokeOthers.isSuccess ? <Alert tone="success">Your other sessions were logged out.</Alert> : null}
          {revoke.isSuccess && !revoke.data.current ? (
            <Alert tone="success">That session was logged out.</Alert>
          ) : null}
        </div>
        {actionError ? <Alert tone="error">{describeError(actionError).message}</Alert> : null}
        {sessions.isPending ? (
          <ListSkeleton items={2} label="Loading sessions…" />
        ) : sessions.isError ? (
          <ErrorState
            title="We could not load your sessions"
            message={describeError(sessions.error).message}
            onRetry={() => sessions.refetch()}
            retrying={sessions.isFetching}
          />
        ) : (
          <ul className="session-list">
            {sessions.data.map((session) => (
              <SessionRow
                key={session.id}
                session={session}
                pending={revoke.isPending && revoke.variables?.sessionId === session.id}
                disabled={revoke.isPending || revokeOthers.isPending}
                onRevoke={() => {
                  revokeOthers.reset();
                  revoke.mutate({ sessionId: session.id });
                }}
              />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
