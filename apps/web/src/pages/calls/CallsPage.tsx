import "./calls.css";
import { Button, Card, EmptyState, ErrorState, PageHeader, TableSkeleton } from "@cac/ui";
import { keepPreviousData, useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { managesAccount, useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { usePageTitle } from "../../lib/usePageTitle";
import { useTRPC } from "../../trpc";
import { aggregateInput, aggregateRange, describeRange, endedInRange } from "./aggregate-range";
import { BlockedIps } from "./BlockedIps";
import { CallCharts } from "./CallCharts";
import { CallFiltersBar } from "./CallFiltersBar";
import { CallSources } from "./CallSources";
import { CallTable } from "./CallTable";
import { CallTotals } from "./CallTotals";
import { CsvExport } from "./CsvExport";
import { hasFilters, rangeError, toQueryInput, useCallFilters } from "./filters";
import { IpBlockNotice, IpBlocksProvider } from "./IpBlocks";
import { type LiveCall, LiveCalls } from "./LiveCalls";

const PAGE_SIZE = 50;

const logIcon = (
  <svg
    aria-hidden="true"
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    strokeWidth="1.8"
    strokeLinejoin="round"
  >
    <path d="M4 6h16M4 12h16M4 18h10" />
  </svg>
);

/**
 * The call log: calls in progress, filters, totals, charts, the table and its CSV export, and
 * the owner's blocked IPs.
 */
export function CallsPage() {
  return (
    <IpBlocksProvider>
      <CallLog />
    </IpBlocksProvider>
  );
}

function CallLog() {
  usePageTitle("Calls");
  const trpc = useTRPC();
  const { account, user } = useMe();
  const { filters, update, clear } = useCallFilters();
  const invalidRange = rangeError(filters);
  const filtered = hasFilters(filters);

  const list = useInfiniteQuery({
    ...trpc.callLog.list.infiniteQueryOptions(
      { ...toQueryInput(filters), limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
    enabled: !invalidRange,
    placeholderData: keepPreviousData,
  });

  const listError = list.isError ? describeError(list.error) : null;
  const dateErrors = {
    from: listError?.fieldErrors.from?.join(" "),
    to: invalidRange ?? listError?.fieldErrors.to?.join(" "),
  };
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];
  const timeZone = list.data?.pages[0]?.timezone ?? account.timezone;
  const neverCalled = !filtered && list.isSuccess && rows.length === 0;

  // Totals and charts cover a bounded range (the last 30 days unless dates are chosen), and are
  // fetched again when it changes or when a call that counts in it ends.
  const range = aggregateRange(filters, timeZone, Date.now());
  const queryClient = useQueryClient();
  const onEnded = useCallback(
    (ended: LiveCall[]) => {
      if (!endedInRange(ended, filters, range, timeZone)) return;
      void queryClient.invalidateQueries({ queryKey: trpc.callLog.totals.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.callLog.charts.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.callLog.sources.pathKey() });
    },
    [filters, range, timeZone, queryClient, trpc],
  );

  return (
    <div className="stack-lg">
      <PageHeader
        title="Calls"
        description={
          <>
            Every call your buttons receive. Times are in your account's timezone, {timeZone}. Audio is never
            recorded or stored.
          </>
        }
      />
      <LiveCalls onEnded={onEnded} />
      {neverCalled ? (
        <EmptyState icon={logIcon} title="No calls yet — they appear here when visitors use your buttons">
          <p>Each call is listed with its time, button, duration and status, with totals and charts.</p>
        </EmptyState>
      ) : (
        <>
          <Card id="call-filters" title="Filters">
            <CallFiltersBar filters={filters} onChange={update} onClear={clear} errors={dateErrors} />
          </Card>
          {invalidRange ? null : (
            <>
              <section className="stack" aria-labelledby="call-totals-title">
                <h2 className="ui-visually-hidden" id="call-totals-title">
                  Totals
                </h2>
                <p className="calls-range" data-testid="calls-range">
                  Totals and charts for <strong>{describeRange(range)}</strong>.{" "}
                  {range.isDefault
                    ? "Choose From and To dates in the filters for another range."
                    : "Clear the dates for the last 30 days."}
                </p>
                <CallTotals input={aggregateInput(filters, range)} />
              </section>
              <Card id="call-charts" title="Charts">
                <CallCharts input={aggregateInput(filters, range)} />
              </Card>
              <Card id="call-sources" title="Where calls come from">
                <CallSources
                  input={aggregateInput(filters, range)}
                  onPickSource={(source) => {
                    update({ source });
                    document.getElementById("call-filters")?.scrollIntoView({ block: "start" });
                  }}
                />
              </Card>
            </>
          )}
          <Card
            id="call-log"
            title="Call log"
            actions={
              managesAccount(user.role) ? (
                <CsvExport filters={filters} disabled={Boolean(invalidRange) || rows.length === 0} />
              ) : undefined
            }
          >
            {invalidRange ? (
              <p className="muted">Choose an end date on or after the start date to see calls.</p>
            ) : list.isPending ? (
              <TableSkeleton rows={8} columns={5} label="Loading calls…" />
            ) : list.isError && !list.isFetchNextPageError ? (
              <ErrorState
                title="We could not load your calls"
                message={listError?.message}
                onRetry={() => list.refetch()}
                retrying={list.isFetching}
              />
            ) : rows.length === 0 ? (
              <EmptyState
                title="No calls match these filters"
                headingLevel={3}
                action={
                  <Button variant="secondary" size="sm" onClick={clear}>
                    Clear filters
                  </Button>
                }
              >
                <p>Try another date range or status, or clear the filters.</p>
              </EmptyState>
            ) : (
              <div className="stack" aria-busy={list.isPlaceholderData || undefined}>
                <IpBlockNotice />
                <CallTable
                  rows={rows}
                  timeZone={timeZone}
                  hasMore={list.hasNextPage}
                  loadingMore={list.isFetchingNextPage}
                  onLoadMore={() => list.fetchNextPage()}
                />
                {list.isFetchNextPageError ? (
                  <ErrorState
                    title="We could not load more calls"
                    message={listError?.message}
                    onRetry={() => list.fetchNextPage()}
                    retrying={list.isFetchingNextPage}
                  />
                ) : null}
              </div>
            )}
          </Card>
        </>
      )}
      <BlockedIps />
    </div>
  );
}
