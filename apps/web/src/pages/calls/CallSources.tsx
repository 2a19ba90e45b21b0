import { Button, EmptyState, ErrorState, Skeleton } from "@cac/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { describeError } from "../../lib/errors";
import { type RouterOutputs, useTRPC } from "../../trpc";
import { type AggregateInput, aggregateQueryOptions } from "./aggregate-range";
import { formatCount, formatPercent } from "./format";

type Sources = RouterOutputs["callLog"]["sources"];
type Row = { key: string | null; label: string; calls: number; answerRate: number };

/**
 * "Where calls come from": the top 10 pages and sources of the filtered calls in the range of
 * the totals, each with its calls and answer rate. `onPickSource`, when given, makes each source
 * a button that narrows the call log to it (the log's Source filter).
 */
export function CallSources({
  input,
  onPickSource,
}: {
  input: AggregateInput;
  onPickSource?: (source: string) => void;
}) {
  const trpc = useTRPC();
  const sources = useQuery({
    ...trpc.callLog.sources.queryOptions(input),
    ...aggregateQueryOptions,
    placeholderData: keepPreviousData,
  });

  if (sources.isPending) return <Skeleton lines={4} label="Loading where calls come from…" />;
  if (sources.isError) {
    return (
      <ErrorState
        title="We could not load where calls come from"
        message={describeError(sources.error).message}
        onRetry={() => sources.refetch()}
        retrying={sources.isFetching}
      />
    );
  }
  const data: Sources = sources.data;
  if (data.byPage.length === 0 && data.bySource.length === 0) {
    return (
      <EmptyState title="No calls in this range" headingLevel={3}>
        <p>The pages and sources of your calls appear here once visitors call in this range.</p>
      </EmptyState>
    );
  }
  const pages: Row[] = data.byPage.map((r) => ({ key: r.page, label: r.page ?? "No page", ...r }));
  const bySource: Row[] = data.bySource.map((r) => ({ key: r.source, label: r.source ?? "Unknown", ...r }));
  return (
    <div className="calls-sources" aria-busy={sources.isPlaceholderData || undefined}>
      <SourceTable caption="Calls by page" column="Page" rows={pages} />
      <SourceTable
        caption="Calls by source"
        column="Source"
        rows={bySource}
        onPick={onPickSource}
        pickHint="Show only this source's calls in the log"
      />
    </div>
  );
}

function SourceTable({
  caption,
  column,
  rows,
  onPick,
  pickHint,
}: {
  caption: string;
  column: string;
  rows: Row[];
  onPick?: ((key: string) => void) | undefined;
  pickHint?: string;
}) {
  return (
    <table className="calls-sources-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{column}</th>
          <th scope="col">Calls</th>
          <th scope="col">Answered</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={3} className="muted">
              None in this range.
            </td>
          </tr>
        ) : (
          rows.map((row) => (
            <tr key={row.key ?? ""}>
              <th scope="row" className="calls-sources-name">
                {onPick && row.key !== null ? (
                  <Button variant="link" size="sm" title={pickHint} onClick={() => onPick(row.key as string)}>
                    {row.label}
                  </Button>
                ) : (
                  <span title={row.label}>{row.label}</span>
                )}
              </th>
              <td>{formatCount(row.calls)}</td>
              <td>{formatPercent(row.answerRate)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
