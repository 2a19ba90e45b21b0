import { ErrorState, Skeleton } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import { GetStartedCard } from "./GetStartedCard";
import { TodayCard } from "./TodayCard";
import "./dashboard.css";

/**
 * The checklist while a step is left, then today's numbers. Steps are ticked as they happen: the
 * overview is read again every few seconds while the checklist shows (a call answered in the phone
 * panel, the widget seen on the site), less often once it shows today's numbers.
 */
export function DashboardStatus() {
  const trpc = useTRPC();
  const overview = useQuery({
    ...trpc.dashboard.overview.queryOptions(),
    refetchInterval: (query) => (query.state.data?.checklist.complete ? 30_000 : 4_000),
  });
  if (overview.isPending) return <Skeleton lines={5} label="Loading your first steps…" />;
  if (overview.isError) {
    return (
      <ErrorState
        title="We could not load your dashboard"
        message={describeError(overview.error).message}
        onRetry={() => overview.refetch()}
        retrying={overview.isFetching}
      />
    );
  }
  const { checklist, today } = overview.data;
  return today ? <TodayCard today={today} /> : <GetStartedCard checklist={checklist} />;
}
