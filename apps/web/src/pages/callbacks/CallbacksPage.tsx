import "./callbacks.css";
import { Alert, Button, EmptyState, ErrorState, PageHeader, Skeleton, Switch } from "@cac/ui";
import {
  type InfiniteData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { describeError } from "../../lib/errors";
import { formatDateTime, formatRelative, formatUsPhone } from "../../lib/format";
import { usePageTitle } from "../../lib/usePageTitle";
import { type RouterOutputs, useTRPC } from "../../trpc";
import { formatCount } from "../calls/format";

type Page = RouterOutputs["callbacks"]["list"];
type Request = Page["items"][number];
type Filter = "open" | "all";

const PAGE_SIZE = 50;

/** Callback requests visitors left while no one could answer (or outside opening hours). */
export function CallbacksPage() {
  usePageTitle("Callbacks");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<Filter>("open");
  const requests = useInfiniteQuery(
    trpc.callbacks.list.infiniteQueryOptions(
      { onlyOpen: filter === "open", limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const buttons = useQuery(trpc.buttons.list.queryOptions());
  const buttonName = (id: string | null) =>
    (id && buttons.data?.find((b) => b.id === id)?.name) || (id ? "A button" : "A deleted button");
  const rows = requests.data?.pages.flatMap((page) => page.items) ?? [];

  const setHandled = useMutation(
    trpc.callbacks.setHandled.mutationOptions({
      onSuccess: async (_result, { id, handled }) => {
        // Update every loaded page of both lists at once; the open list drops a handled request on
        // the next load.
        queryClient.setQueriesData<InfiniteData<Page>>({ queryKey: trpc.callbacks.list.pathKey() }, (data) =>
          data
            ? {
                ...data,
                pages: data.pages.map((page) => ({
                  ...page,
                  items: page.items.map((r) =>
                    r.id === id ? { ...r, handledAt: handled ? new Date() : null } : r,
                  ),
                })),
              }
            : data,
        );
        await queryClient.invalidateQueries({ queryKey: trpc.callbacks.list.pathKey() });
      },
    }),
  );

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
      ) : requests.isError && rows.length === 0 ? (
        <ErrorState
          title="We could not load your callback requests"
          message={describeError(requests.error).message}
          onRetry={() => requests.refetch()}
          retrying={requests.isFetching}
        />
      ) : rows.length === 0 ? (
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
                  setHandled.mutate({ id: request.id, handled });
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
