import "./callbacks.css";
import { Alert, Badge, Button, EmptyState, ErrorState, ListSkeleton, PageHeader, Switch } from "@cac/ui";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link } from "react-router";
import { useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { formatDateTime, formatRelative, formatUsPhone } from "../../lib/format";
import { usePageTitle } from "../../lib/usePageTitle";
import { type RouterInputs, useTRPC } from "../../trpc";
import { formatCount } from "../calls/format";
import { CallbackNotes } from "./CallbackNotes";
import { type CallbackItem, patchRequestEverywhere, restore } from "./optimistic";

type Request = CallbackItem;
type Filter = "open" | "new" | "assigned" | "done" | "all";
/** "" for anyone's, "me", "unassigned" or a member's id. */
type AssigneeFilter = string;
type Member = { id: string; name: string };

const statusWords: Record<Request["status"], string> = { new: "New", assigned: "Assigned", done: "Done" };
const statusTones = { new: "info", assigned: "warning", done: "success" } as const;

function listInput(filter: Filter, assignee: AssigneeFilter): RouterInputs["callbacks"]["list"] {
  return {
    onlyOpen: filter === "open",
    ...(filter === "new" || filter === "assigned" || filter === "done" ? { statuses: [filter] } : {}),
    ...(assignee ? { assignee } : {}),
    limit: PAGE_SIZE,
  };
}

const PAGE_SIZE = 50;

/** Callback requests visitors left while no one could answer (or outside opening hours). */
export function CallbacksPage() {
  usePageTitle("Callbacks");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useMe();
  const filterId = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const [filter, setFilter] = useState<Filter>("open");
  const [assignee, setAssignee] = useState<AssigneeFilter>("");
  const requests = useInfiniteQuery(
    trpc.callbacks.list.infiniteQueryOptions(listInput(filter, assignee), {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  );
  const members = useQuery(trpc.callbacks.assignees.queryOptions());
  const memberList: Member[] = members.data?.items ?? [];
  const buttons = useQuery(trpc.buttons.list.queryOptions());
  const buttonName = (id: string | null) =>
    (id && buttons.data?.find((b) => b.id === id)?.name) || (id ? "A button" : "A deleted button");
  const rows = requests.data?.pages.flatMap((page) => page.items) ?? [];

  const listKey = trpc.callbacks.list.pathKey();
  // Both changes show at once in every loaded list, and are put back if the server refuses them.
  const setHandled = useMutation(
    trpc.callbacks.setHandled.mutationOptions({
      onMutate: async ({ id, handled }) => ({
        before: await patchRequestEverywhere(queryClient, listKey, id, (r) => ({
          ...r,
          handledAt: handled ? new Date() : null,
          status: handled ? "done" : r.assignee ? "assigned" : "new",
        })),
      }),
      onError: (_error, _input, context) => restore(queryClient, context?.before),
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );
  const assign = useMutation(
    trpc.callbacks.assign.mutationOptions({
      onMutate: async ({ id, assigneeId }) => {
        const member = memberList.find((m) => m.id === assigneeId) ?? null;
        return {
          before: await patchRequestEverywhere(queryClient, listKey, id, (r) => ({
            ...r,
            assignee: member,
            status: member ? "assigned" : r.status === "done" ? "done" : "new",
            handledAt: member ? null : r.handledAt,
          })),
        };
      },
      onError: (_error, _input, context) => restore(queryClient, context?.before),
      onSettled: () => queryClient.invalidateQueries({ queryKey: listKey }),
    }),
  );
  const failed = setHandled.isError ? setHandled.error : assign.isError ? assign.error : null;

  return (
    <div className="stack-lg">
      <PageHeader
        title="Callbacks"
        description="Visitors who asked you to call them back. We also email the account owner: at once for a single request, and when many arrive, one email per button every 10 minutes that says how many came in."
      />
      <fieldset className="callbacks-filter">
        <legend className="callbacks-filter-legend">Show</legend>
        {(
          [
            ["open", "To call back"],
            ["new", "New"],
            ["assigned", "Assigned"],
            ["done", "Done"],
            ["all", "All requests"],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="callbacks-filter-option">
            <input
              type="radio"
              name="callbacks-filter"
              value={value}
              checked={filter === value}
              onChange={() => setFilter(value)}
            />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      <div className="ui-field callbacks-assignee-filter">
        <label className="ui-label" htmlFor={`${filterId}-assignee`}>
          Assignee
        </label>
        <div className="ui-input-row">
          <select
            id={`${filterId}-assignee`}
            className="ui-input"
            value={assignee}
            onChange={(event) => setAssignee(event.target.value)}
          >
            <option value="">Anyone</option>
            <option value="me">Assigned to me</option>
            <option value="unassigned">Unassigned</option>
            {memberList
              .filter((m) => m.id !== me.user.id)
              .map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
          </select>
        </div>
      </div>

      {failed ? (
        <Alert tone="error" title="We could not update that request">
          {describeError(failed).message}
        </Alert>
      ) : null}

      {requests.isPending ? (
        <div className="ui-card callbacks-loading">
          <ListSkeleton items={4} label="Loading callback requests…" />
        </div>
      ) : requests.isError && rows.length === 0 ? (
        <ErrorState
          title="We could not load your callback requests"
          message={describeError(requests.error).message}
          onRetry={() => requests.refetch()}
          retrying={requests.isFetching}
        />
      ) : rows.length === 0 ? (
        <EmptyState
          title={
            assignee || (filter !== "open" && filter !== "all")
              ? "No requests match these filters"
              : filter === "open"
                ? "Nobody is waiting for a call back"
                : "No callback requests yet"
          }
        >
          <p>
            When a button's closed behaviour is “Offer a callback request”, visitors can leave their name and
            number. Their requests show up here.
          </p>
          <p>
            Choose it under <strong>When you are closed</strong> in a{" "}
            <Link to="/buttons">button's settings</Link>.
          </p>
        </EmptyState>
      ) : (
        <>
          <ul className="callbacks-list" aria-label="Callback requests">
            {rows.map((request) => (
              <CallbackRow
                key={request.id}
                request={request}
                buttonName={buttonName(request.buttonId)}
                pending={setHandled.isPending && setHandled.variables?.id === request.id}
                onHandled={(handled) => {
                  setHandled.reset();
                  assign.reset();
                  setHandled.mutate({ id: request.id, handled });
                }}
                members={memberList}
                meId={me.user.id}
                onAssign={(assigneeId) => {
                  setHandled.reset();
                  assign.reset();
                  assign.mutate({ id: request.id, assigneeId });
                }}
              />
            ))}
          </ul>
          <div className="callbacks-more">
            <p className="muted" aria-live="polite">
              {requests.hasNextPage
                ? `Showing the latest ${formatCount(rows.length)} requests.`
                : `Showing all ${formatCount(rows.length)} request${rows.length === 1 ? "" : "s"}.`}
            </p>
            {requests.isFetchNextPageError ? (
              <Alert tone="error" title="We could not load more requests">
                {describeError(requests.error).message}
              </Alert>
            ) : null}
            {requests.hasNextPage ? (
              <Button
                variant="secondary"
                onClick={() => requests.fetchNextPage()}
                pending={requests.isFetchingNextPage}
                pendingLabel="Loading…"
              >
                Load more
              </Button>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}

function CallbackRow({
  request,
  buttonName,
  pending,
  onHandled,
  members,
  meId,
  onAssign,
}: {
  request: Request;
  buttonName: string;
  pending: boolean;
  onHandled: (handled: boolean) => void;
  members: Member[];
  meId: string;
  onAssign: (assigneeId: string | null) => void;
}) {
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const [notesOpen, setNotesOpen] = useState(false);
  const handled = request.status === "done";
  const notesLabel = notesOpen
    ? "Hide notes"
    : request.noteCount
      ? `Notes (${request.noteCount})`
      : "Add a note";
  const assigneeId = request.assignee?.id ?? "";
  // A member removed since keeps their name on the request until someone else takes it.
  const options =
    request.assignee && !members.some((m) => m.id === request.assignee?.id)
      ? [...members, request.assignee]
      : members;
  return (
    <li className={`callback${handled ? " callback--handled" : ""}`}>
      <div className="callback-main">
        <p className="callback-who">
          <span className="callback-name">{request.name}</span>{" "}
          <a className="callback-phone" href={`tel:${request.phone}`}>
            {formatUsPhone(request.phone)}
          </a>
          <Badge tone={statusTones[request.status]}>
            {request.status === "assigned" && request.assignee
              ? `Assigned to ${request.assignee.id === meId ? "you" : request.assignee.name}`
              : statusWords[request.status]}
          </Badge>
          {/* The visitor used the widget in Spanish (English is the default, unmarked). */}
          {request.language === "es" ? <Badge tone="info">Spanish</Badge> : null}
        </p>
        {request.message ? <p className="callback-message">{request.message}</p> : null}
        <p className="callback-meta">
          <time dateTime={request.createdAt.toISOString()} title={formatDateTime(request.createdAt)}>
            {formatRelative(request.createdAt)}
          </time>
          <span aria-hidden="true"> · </span>
          <span>{buttonName}</span>
          {request.source ? (
            <>
              <span aria-hidden="true"> · </span>
              <span className="callback-source">
                from {request.source}
                {request.utmCampaign ? `, campaign ${request.utmCampaign}` : ""}
              </span>
            </>
          ) : null}
          {request.handledAt ? (
            <>
              <span aria-hidden="true"> · </span>
              <span>Handled {formatRelative(request.handledAt)}</span>
            </>
          ) : null}
        </p>
        <div className="callback-work">
          <div className="ui-field callback-assignee">
            <label className="ui-label" htmlFor={`${id}-assignee`}>
              Assignee
            </label>
            <div className="ui-input-row">
              <select
                id={`${id}-assignee`}
                className="ui-input"
                aria-label={`Assignee: ${request.name}`}
                value={assigneeId}
                onChange={(event) => onAssign(event.target.value || null)}
              >
                <option value="">Nobody</option>
                {options.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.id === meId ? `${m.name} (you)` : m.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          {assigneeId !== meId && !handled ? (
            <Button
              variant="secondary"
              size="sm"
              aria-label={`Assign to me: ${request.name}`}
              onClick={() => onAssign(meId)}
            >
              Assign to me
            </Button>
          ) : null}
          <Button
            variant="link"
            size="sm"
            aria-label={`${notesLabel}: ${request.name}`}
            aria-expanded={notesOpen}
            aria-controls={`${id}-notes`}
            onClick={() => setNotesOpen((open) => !open)}
          >
            {notesLabel}
          </Button>
        </div>
        <div id={`${id}-notes`} hidden={!notesOpen}>
          {notesOpen ? <CallbackNotes id={request.id} subject={`${request.name}'s request`} /> : null}
        </div>
      </div>
      <Switch
        className="callback-switch"
        label="Handled"
        aria-label={`Handled: ${request.name}`}
        checked={handled}
        disabled={pending}
        onChange={(event) => onHandled(event.target.checked)}
      />
    </li>
  );
}
