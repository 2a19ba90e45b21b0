import { Alert, Badge, Button, Card, EmptyState, ErrorState, Skeleton } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { describeError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { useTRPC } from "../../trpc";
import { roleLabels } from "./roles";

/** Invitations not yet accepted: resend (a new link) or revoke (the link stops working). */
export function InvitationsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.team.invitations.queryOptions());
  // An invitation holds a seat while open: the seats are read again too.
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.team.invitations.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.team.seats.queryKey() }),
    ]);
  const resend = useMutation(trpc.team.resendInvitation.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.team.revokeInvitation.mutationOptions({ onSuccess: refresh }));
  const actionError = resend.error ?? revoke.error;
  const busy = resend.isPending || revoke.isPending;

  return (
    <Card id="invitations" title="Pending invitations">
      <div className="stack">
        <div aria-live="polite">
          {resend.isSuccess ? <Alert tone="success">We sent {resend.data.email} a new link.</Alert> : null}
          {revoke.isSuccess ? <Alert tone="success">The invitation was revoked.</Alert> : null}
        </div>
        {actionError ? <Alert tone="error">{describeError(actionError).message}</Alert> : null}
        {invitations.isPending ? (
          <Skeleton lines={3} label="Loading invitations…" />
        ) : invitations.isError ? (
          <ErrorState
            title="We could not load the invitations"
            message={describeError(invitations.error).message}
            onRetry={() => invitations.refetch()}
            retrying={invitations.isFetching}
          />
        ) : invitations.data.length === 0 ? (
          <EmptyState title="No pending invitations" headingLevel={3}>
            Invitations you send show here until they are accepted.
          </EmptyState>
        ) : (
          <ul className="team-list">
            {invitations.data.map((invitation) => (
              <li key={invitation.id} className="team-row">
                <div className="team-row-main">
                  <p className="team-row-name">{invitation.email}</p>
                  <p className="team-row-meta">
                    {roleLabels[invitation.role]} ·{" "}
                    {invitation.expired ? (
                      <Badge tone="warning">Expired</Badge>
                    ) : (
                      <>
                        Expires{" "}
                        <time dateTime={invitation.expiresAt.toISOString()}>
                          {formatDateTime(invitation.expiresAt)}
                        </time>
                      </>
                    )}
                  </p>
                </div>
                <div className="team-row-actions">
                  <Button
                    variant="secondary"
                    size="sm"
                    disabled={busy}
                    pending={resend.isPending && resend.variables?.id === invitation.id}
                    pendingLabel="Sending…"
                    aria-label={`Resend the invitation to ${invitation.email}`}
                    onClick={() => {
                      revoke.reset();
                      resend.mutate({ id: invitation.id });
                    }}
                  >
                    Resend
                  </Button>
                  <Button
                    variant="danger"
                    size="sm"
                    disabled={busy}
                    pending={revoke.isPending && revoke.variables?.id === invitation.id}
                    pendingLabel="Revoking…"
                    aria-label={`Revoke the invitation to ${invitation.email}`}
                    onClick={() => {
                      resend.reset();
                      revoke.mutate({ id: invitation.id });
                    }}
                  >
                    Revoke
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
