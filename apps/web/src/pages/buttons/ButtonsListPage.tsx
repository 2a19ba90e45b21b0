import "./buttons.css";
import {
  Alert,
  Badge,
  Button,
  buttonClass,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  ListSkeleton,
  PageHeader,
  Switch,
} from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Link } from "react-router";
import { managesAccount, useMe } from "../../components/MeContext";
import { TestModeNotice } from "../../components/TestModeNotice";
import { describeError } from "../../lib/errors";
import { formatDateTime, formatRelative } from "../../lib/format";
import { usePageTitle } from "../../lib/usePageTitle";
import { useTRPC } from "../../trpc";
import type { ButtonView } from "./draft";

type Notice = {
  tone: "success" | "error";
  text: string;
  planLimit?: boolean;
  link?: { to: string; label: string };
};

export function ButtonsListPage() {
  usePageTitle("Buttons");
  const trpc = useTRPC();
  const { user } = useMe();
  const queryClient = useQueryClient();
  const buttons = useQuery(trpc.buttons.list.queryOptions());
  const createRef = useRef<HTMLAnchorElement>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [deleting, setDeleting] = useState<ButtonView | null>(null);
  // Set once the delete went through, so focus does not try to return to the removed row.
  const deleted = useRef(false);

  const listKey = trpc.buttons.list.queryKey();
  const replaceInList = (view: ButtonView) =>
    queryClient.setQueryData(listKey, (list) => list?.map((b) => (b.id === view.id ? view : b)));
  const failed = (cause: unknown) => {
    const info = describeError(cause);
    setNotice({ tone: "error", text: info.message, planLimit: info.appCode === "PLAN_LIMIT" });
  };

  const setEnabled = useMutation(
    trpc.buttons.setEnabled.mutationOptions({
      onSuccess: (view) => {
        replaceInList(view);
        queryClient.setQueryData(trpc.buttons.get.queryKey({ id: view.id }), view);
        setNotice({ tone: "success", text: `“${view.name}” is ${view.enabled ? "active" : "turned off"}.` });
      },
      onError: failed,
    }),
  );
  const duplicate = useMutation(
    trpc.buttons.duplicate.mutationOptions({
      onSuccess: async (view) => {
        await queryClient.invalidateQueries({ queryKey: listKey });
        setNotice({
          tone: "success",
          text: `Created “${view.name}”. It starts turned off, so it does not go live by surprise.`,
          link: { to: `/buttons/${view.id}`, label: "Edit the copy" },
        });
      },
      onError: failed,
    }),
  );
  const remove = useMutation(
    trpc.buttons.delete.mutationOptions({
      onSuccess: async (_result, { id }) => {
        const name = buttons.data?.find((b) => b.id === id)?.name ?? "The button";
        queryClient.setQueryData(listKey, (list) => list?.filter((b) => b.id !== id));
        queryClient.removeQueries({ queryKey: trpc.buttons.get.queryKey({ id }) });
        deleted.current = true;
        setDeleting(null);
        setNotice({ tone: "success", text: `“${name}” was deleted. Its snippet no longer shows anything.` });
        await queryClient.invalidateQueries({ queryKey: listKey });
      },
    }),
  );

  const createLink = (
    <Link ref={createRef} to="/buttons/new" className={buttonClass()}>
      Create a button
    </Link>
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Buttons"
        description="Call buttons are what visitors click on your website to call you."
        actions={
          buttons.data && buttons.data.length > 0 && managesAccount(user.role) ? createLink : undefined
        }
      />
      <TestModeNotice />
      <div aria-live="polite">
        {notice ? (
          <Alert
            tone={notice.tone}
            actions={
              notice.planLimit ? (
                <Link to="/billing" className={buttonClass({ variant: "secondary", size: "sm" })}>
                  See plans in Billing
                </Link>
              ) : notice.link ? (
                <Link to={notice.link.to} className={buttonClass({ variant: "secondary", size: "sm" })}>
                  {notice.link.label}
                </Link>
              ) : undefined
            }
          >
            {notice.text}
          </Alert>
        ) : null}
      </div>

      {buttons.isPending ? (
        <div className="ui-card button-list-loading">
          <ListSkeleton items={3} label="Loading your buttons…" />
        </div>
      ) : buttons.isError ? (
        <ErrorState
          title="We could not load your buttons"
          message={describeError(buttons.error).message}
          onRetry={() => buttons.refetch()}
          retrying={buttons.isFetching}
        />
      ) : buttons.data.length === 0 ? (
        <EmptyState icon={buttonIcon} title="No call buttons yet" action={createLink}>
          <p>Create your first call button, then paste its snippet into your site.</p>
          <p>
            You choose its label, colors and opening hours, where calls ring (this portal, your phone, or
            both) and the websites allowed to show it.
          </p>
        </EmptyState>
      ) : (
        <ul className="button-list" aria-label="Your call buttons">
          {buttons.data.map((button) => (
            <li key={button.id} className="button-row">
              <span
                className="button-row-swatch"
                style={{ background: button.style.background, color: button.style.text }}
                aria-hidden="true"
              >
                Aa
              </span>
              <div className="button-row-main">
                <h2 className="button-row-name">
                  <Link to={`/buttons/${button.id}`}>{button.name}</Link>
                </h2>
                <p className="button-row-label">
                  <span className="muted">Button text:</span> {button.label}
                </p>
                <p className="button-row-meta">
                  <span>
                    <span className="muted">Public id </span>
                    <code>{button.publicId}</code>
                  </span>
                  <span>
                    <span className="muted">Updated </span>
                    <time dateTime={button.updatedAt.toISOString()} title={formatDateTime(button.updatedAt)}>
                      {formatRelative(button.updatedAt)}
                    </time>
                  </span>
                </p>
                {!button.enabled && button.disabledReason ? (
                  <p className="button-row-reason">
                    <Badge tone="warning">Turned off</Badge> {button.disabledReason}
                  </p>
                ) : null}
              </div>
              <div className="button-row-switch">
                <Switch
                  label="Active"
                  aria-label={`Active: ${button.name}`}
                  checked={button.enabled}
                  disabled={setEnabled.isPending && setEnabled.variables?.id === button.id}
                  onChange={(event) => {
                    setNotice(null);
                    setEnabled.mutate({ id: button.id, enabled: event.target.checked });
                  }}
                />
              </div>
              <div className="button-row-actions">
                <Link
                  to={`/buttons/${button.id}`}
                  className={buttonClass({ variant: "secondary", size: "sm" })}
                  aria-label={`Edit ${button.name}`}
                >
                  Edit
                </Link>
                <Button
                  variant="secondary"
                  size="sm"
                  aria-label={`Duplicate ${button.name}`}
                  pending={duplicate.isPending && duplicate.variables?.id === button.id}
                  pendingLabel="Duplicating…"
                  disabled={duplicate.isPending}
                  onClick={() => {
                    setNotice(null);
                    duplicate.mutate({ id: button.id });
                  }}
                >
                  Duplicate
                </Button>
                <Button
                  variant="ghost"
                  size="sm"
                  className="button-row-delete"
                  aria-label={`Delete ${button.name}`}
                  onClick={() => {
                    setNotice(null);
                    remove.reset();
                    deleted.current = false;
                    setDeleting(button);
                  }}
                >
                  Delete
                </Button>
              </div>
            </li>
          ))}
        </ul>
      )}

      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.name ?? ""}”?`}
        confirmLabel="Delete button"
        pending={remove.isPending}
        pendingLabel="Deleting…"
        error={remove.isError ? describeError(remove.error).message : null}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
        onCancel={() => setDeleting(null)}
        // After a delete the row is gone: continue from the page's main action or its heading.
        returnFocus={() =>
          deleted.current ? (createRef.current ?? document.querySelector<HTMLElement>("main h1")) : null
        }
      >
        <p>
          The button stops working on every site where its snippet is pasted. Its calls and callback requests
          stay in your history. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}

const buttonIcon = (
  <svg
    aria-hidden="true"
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth="1.8"
    strokeLinejoin="round"
  >
    <path d="M4 7h16v10H4zM8 12h8" />
  </svg>
);
