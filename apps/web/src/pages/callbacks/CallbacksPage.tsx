import "./callbacks.css";
import { Alert, EmptyState, ErrorState, PageHeader, Skeleton, Switch } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { describeError } from "../../lib/errors";
import { formatDateTime, formatRelative, formatUsPhone } from "../../lib/format";
import { usePageTitle } from "../../lib/usePageTitle";
import { type RouterOutputs, useTRPC } from "../../trpc";

type Request = RouterOutputs["callbacks"]["list"][number];
type Filter = "open" | "all";

/** Callback requests visitors left while no one could answer (or outside opening hours). */
export function CallbacksPage() {
  usePageTitle("Callbacks");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>("open");
  const requests = useQuery(trpc.callbacks.list.queryOptions({ onlyOpen: filter === "open" }));
  const buttons = useQuery(trpc.buttons.list.queryOptions());
  const buttonName = (id: string | null) =>
    (id && buttons.data?.find((b) => b.id === id)?.name) || (id ? "A button" : "A deleted button");

  const setHandled = useMutation(
    trpc.callbacks.setHandled.mutationOptions({
      onSuccess: async (_result, { id, handled }) => {
        // Update both lists at once; the open list drops a handled request on the next load.
        for (const onlyOpen of [true, false]) {
          queryClient.setQueryData(trpc.callbacks.list.queryKey({ onlyOpen }), (list) =>
            list?.map((r) => (r.id === id ? { ...r, handledAt: handled ? new Date() : null } : r)),
          );
        }
        await queryClient.invalidateQueries({ queryKey: trpc.callbacks.list.queryKey() });
      },
    }),
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Callbacks"
        description="Visitors who asked you to call them back. We also email each request to the account owner."
      />
      <fieldset className="callbacks-filter">
        <legend className="callbacks-filter-legend">Show</legend>
        {(
          [
            ["open", "To call back"],
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

      {setHandled.isError ? (
        <Alert tone="error" title="We could not update that request">
          {describeError(setHandled.error).message}
        </Alert>
      ) : null}

      {requests.isPending ? (
        <div className="ui-card callbacks-loading">
          <Skeleton lines={6} label="Loading callback requests…" />
        </div>
      ) : requests.isError ? (
        <ErrorState
          title="We could not load your callback requests"
          message={describeError(requests.error).message}
          onRetry={() => requests.refetch()}
          retrying={requests.isFetching}
        />
      ) : requests.data.length === 0 ? (
        <EmptyState
          title={filter === "open" ? "Nobody is waiting for a call back" : "No callback requests yet"}
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
        <ul className="callbacks-list" aria-label="Callback requests">
          {requests.data.map((request) => (
            <CallbackRow
              key={request.id}
              request={request}
              buttonName={buttonName(request.buttonId)}
              pending={setHandled.isPending && setHandled.variables?.id === request.id}
              onHandled={(handled) => {
                setHandled.reset();
                setHandled.mutate({ id: request.id, handled });
              }}
            />
          ))}
        </ul>
      )}
      {requests.data && requests.data.length >= 200 ? (
        <p className="muted">Showing the 200 most recent requests.</p>
      ) : null}
    </div>
  );
}

function CallbackRow({
  request,
  buttonName,
  pending,
  onHandled,
}: {
  request: Request;
  buttonName: string;
  pending: boolean;
  onHandled: (handled: boolean) => void;
}) {
  const handled = request.handledAt !== null;
  return (
    <li className={`callback${handled ? " callback--handled" : ""}`}>
      <div className="callback-main">
        <p className="callback-who">
          <span className="callback-name">{request.name}</span>{" "}
          <a className="callback-phone" href={`tel:${request.phone}`}>
            {formatUsPhone(request.phone)}
          </a>
        </p>
        {request.message ? <p className="callback-message">{request.message}</p> : null}
        <p className="callback-meta">
          <time dateTime={request.createdAt.toISOString()} title={formatDateTime(request.createdAt)}>
            {formatRelative(request.createdAt)}
          </time>
          <span aria-hidden="true"> · </span>
          <span>{buttonName}</span>
          {request.handledAt ? (
            <>
              <span aria-hidden="true"> · </span>
              <span>Handled {formatRelative(request.handledAt)}</span>
            </>
          ) : null}
        </p>
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
