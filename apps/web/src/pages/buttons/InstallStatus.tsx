import { Alert, Button, Skeleton } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { formatRelative } from "../../lib/format";
import { type RouterOutputs, useTRPC } from "../../trpc";
import { type ButtonView, draftFromView, toFields } from "./draft";

type Install = RouterOutputs["buttons"]["installs"][number];

/** Where the button's widget was loaded from (last 30 days), and the sites it refused. */
export function InstallStatus({
  button,
  onAllowed,
  showName = false,
}: {
  button: ButtonView;
  /** The button as saved with the new domain, so an open editor can take it in. */
  onAllowed?: (view: ButtonView) => void;
  showName?: boolean;
}) {
  const trpc = useTRPC();
  const installs = useQuery(trpc.buttons.installs.queryOptions());
  if (installs.isPending) return <Skeleton lines={2} label="Checking where this button is installed…" />;
  if (installs.isError)
    return (
      <Alert tone="error" title="We could not check where this button is installed.">
        {describeError(installs.error).message}
      </Alert>
    );
  const install = installs.data.find((i) => i.buttonId === button.id) ?? {
    buttonId: button.id,
    installed: [],
    refused: [],
  };
  return <InstallLines button={button} install={install} onAllowed={onAllowed} showName={showName} />;
}

function InstallLines({
  button,
  install,
  onAllowed,
  showName,
}: {
  button: ButtonView;
  install: Install;
  onAllowed?: ((view: ButtonView) => void) | undefined;
  showName: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useMe();
  const [allowing, setAllowing] = useState<string | null>(null);
  const canEdit = user.role !== "agent";
  // Through the button's own update, so the plan's and the domains' rules apply as in the editor.
  const allow = useMutation(
    trpc.buttons.update.mutationOptions({
      onSuccess: (view) => {
        queryClient.setQueryData(trpc.buttons.get.queryKey({ id: view.id }), view);
        void queryClient.invalidateQueries({ queryKey: trpc.buttons.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.buttons.installs.queryKey() });
        onAllowed?.(view);
      },
      onSettled: () => setAllowing(null),
    }),
  );
  const allowHost = (host: string) => {
    setAllowing(host);
    const { fields } = toFields(draftFromView(button));
    allow.mutate({ id: button.id, fields: { ...fields, allowedDomains: [...fields.allowedDomains, host] } });
  };
  const prefix = showName ? `${button.name}: ` : "";

  return (
    <div className="install-status stack-sm">
      {install.installed.length === 0 ? (
        <p className="install-line install-line--none">
          {prefix}Not seen yet. Once the snippet is on your site, its next visit shows here.
        </p>
      ) : (
        <ul className="install-list">
          {install.installed.slice(0, 5).map((o) => (
            <li key={o.origin} className="install-line install-line--ok">
              {prefix}Installed on <strong>{o.host}</strong>, last seen {formatRelative(o.lastSeenAt)}
            </li>
          ))}
        </ul>
      )}
      {install.refused.length > 0 ? (
        <ul className="install-list">
          {install.refused.slice(0, 5).map((o) => (
            <li key={o.origin} className="install-line install-line--refused">
              <span>
                {prefix}Seen on <strong>{o.host}</strong>, not allowed
                {o.refusedCount > 0
                  ? ` (${o.refusedCount} ${o.refusedCount === 1 ? "visit" : "visits"})`
                  : ""}
                .{canEdit ? " Allow it?" : " An owner or admin can allow it."}
              </span>
              {canEdit ? (
                <Button
                  size="sm"
                  variant="secondary"
                  pending={allow.isPending && allowing === o.host}
                  pendingLabel="Allowing…"
                  disabled={allow.isPending}
                  onClick={() => allowHost(o.host)}
                  aria-label={`Allow ${o.host}`}
                >
                  Allow
                </Button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {allow.isError ? (
        <Alert tone="error" title="We could not allow this website.">
          {describeError(allow.error).message}
        </Alert>
      ) : null}
    </div>
  );
}

/** The dashboard's install status: one block per button. */
export function InstallStatusList() {
  const trpc = useTRPC();
  const list = useQuery(trpc.buttons.list.queryOptions());
  if (list.isPending) return <Skeleton lines={2} label="Loading your buttons…" />;
  if (list.isError) return <Alert tone="error">{describeError(list.error).message}</Alert>;
  if (list.data.length === 0) return <p className="muted">Create a button to see where it is installed.</p>;
  return (
    <div className="stack">
      {list.data.map((b) => (
        <InstallStatus key={b.id} button={b} showName={list.data.length > 1} />
      ))}
    </div>
  );
}
