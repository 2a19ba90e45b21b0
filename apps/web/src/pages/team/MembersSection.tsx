import { Alert, Badge, Button, Card, ConfirmDialog, ErrorState, ListSkeleton } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { useTeamPresence } from "../../phone/team-presence";
import { type RouterOutputs, useTRPC } from "../../trpc";
import { assignableRoles, type Role, roleLabels } from "./roles";

type Member = RouterOutputs["team"]["members"][number];

/** Whether `actor` may change or remove `member` (the server decides again). */
function canManage(actor: Role, member: Member, self: boolean) {
  if (self || actor === "agent") return false;
  return actor === "owner" || member.role !== "owner";
}

/** The members, their roles and who can take a call now; owners and admins manage them. */
export function MembersSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useMe();
  const actor = user.role as Role;
  const { members } = useTeamPresence();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.team.members.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.team.seats.queryKey() }),
    ]);
  const changeRole = useMutation(trpc.team.changeRole.mutationOptions({ onSuccess: refresh }));
  const [removing, setRemoving] = useState<Member | null>(null);
  const remove = useMutation(
    trpc.team.remove.mutationOptions({
      onSuccess: async () => {
        setRemoving(null);
        await refresh();
      },
    }),
  );

  return (
    <Card
      id="members"
      title="Members"
      description="Reachable means available, with a phone panel open now. It updates as it changes."
    >
      <div className="stack">
        <div aria-live="polite">
          {remove.isSuccess ? <Alert tone="success">The member was removed.</Alert> : null}
          {changeRole.isSuccess ? <Alert tone="success">The role was changed.</Alert> : null}
        </div>
        {changeRole.isError ? <Alert tone="error">{describeError(changeRole.error).message}</Alert> : null}
        {members.isPending ? (
          <ListSkeleton items={3} label="Loading members…" />
        ) : members.isError ? (
          <ErrorState
            title="We could not load the team"
            message={describeError(members.error).message}
            onRetry={() => members.refetch()}
            retrying={members.isFetching}
          />
        ) : (
          <ul className="team-list">
            {members.data.map((member) => {
              const self = member.userId === user.id;
              const manage = canManage(actor, member, self);
              return (
                <li key={member.userId} className="team-row">
                  <div className="team-row-main">
                    <p className="team-row-name">
                      {member.name} {self ? <Badge tone="info">You</Badge> : null}
                    </p>
                    <p className="team-row-meta">{member.email}</p>
                    <p className="team-row-meta">
                      {member.reachable ? (
                        <Badge tone="success">Reachable now</Badge>
                      ) : (
                        <Badge tone="warning">
                          {member.available ? "Away (no panel open)" : "Unavailable"}
                        </Badge>
                      )}
                    </p>
                  </div>
                  <div className="team-row-actions">
                    {manage ? (
                      <>
                        <label className="team-role">
                          <span className="team-role-label">Role of {member.name}</span>
                          <select
                            className="ui-input ui-select"
                            value={member.role}
                            disabled={changeRole.isPending}
                            onChange={(event) => {
                              remove.reset();
                              changeRole.mutate({ userId: member.userId, role: event.target.value as Role });
                            }}
                          >
                            {[...new Set([member.role, ...assignableRoles(actor)])].map((role) => (
                              <option key={role} value={role}>
                                {roleLabels[role]}
                              </option>
                            ))}
                          </select>
                        </label>
                        <Button
                          variant="danger"
                          size="sm"
                          aria-label={`Remove ${member.name}`}
                          onClick={() => {
                            changeRole.reset();
                            remove.reset();
                            setRemoving(member);
                          }}
                        >
                          Remove
                        </Button>
                      </>
                    ) : (
                      <Badge tone="info">{roleLabels[member.role]}</Badge>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? "this member"}?`}
        confirmLabel="Remove"
        pending={remove.isPending}
        pendingLabel="Removing…"
        error={remove.isError ? describeError(remove.error).message : undefined}
        onConfirm={() => removing && remove.mutate({ userId: removing.userId })}
        onCancel={() => {
          remove.reset();
          setRemoving(null);
        }}
        returnFocus={() => document.getElementById("members")}
      >
        They are logged out of this account at once, and their phone panel stops ringing. You can invite them
        again later.
      </ConfirmDialog>
    </Card>
  );
}
