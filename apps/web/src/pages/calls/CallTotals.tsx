import { ErrorState, Skeleton } from "@cac/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import { type AggregateInput, aggregateQueryOptions } from "./aggregate-range";
import { formatCount, formatDuration, formatPercent } from "./format";

/** Calls, answered calls, answer rate, billed minutes and average talk time of the filtered set. */
export function CallTotals({ input }: { input: AggregateInput }) {
  const trpc = useTRPC();
  const totals = useQuery({
    ...trpc.callLog.totals.queryOptions(input),
    ...aggregateQueryOptions,
    placeholderData: keepPreviousData,
  });

  if (totals.isPending) return <Skeleton lines={2} label="Loading totals…" />;
  if (totals.isError) {
    return (
      <ErrorState
        title="We could not load the totals"
        message={describeError(totals.error).message}
        onRetry={() => totals.refetch()}
        retrying={totals.isFetching}
      />
    );
  }
  const t = totals.data;
  const stats = [
    { label: "Calls", value: formatCount(t.calls) },
    { label: "Answered", value: formatCount(t.answered) },
    { label: "Answer rate", value: formatPercent(t.answerRate) },
    { label: "Billed minutes", value: formatCount(t.minutes) },
    {
      label: "Average talk time",
      value: t.avgDurationSeconds === null ? "—" : formatDuration(t.avgDurationSeconds),
    },
  ];
  return (
    <dl className="calls-totals" aria-busy={totals.isPlaceholderData || undefined}>
      {stats.map((stat) => (
        <div key={stat.label} className="calls-total">
          <dt>{stat.label}</dt>
          <dd>{stat.value}</dd>
        </div>
      ))}
    </dl>
  );
}
