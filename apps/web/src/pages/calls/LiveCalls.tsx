import { Badge, Card, ErrorState, Skeleton } from "@cac/ui";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { describeError } from "../../lib/errors";
import { type RouterOutputs, useTRPC } from "../../trpc";
import {
  formatCallTime,
  formatDuration,
  shortPageUrl,
  statusLabels,
  statusTones,
  transportLabels,
} from "./format";

export type LiveCall = RouterOutputs["callLog"]["live"]["items"][number];

/** How often the list of calls in progress is refreshed while the page is visible. */
const LIVE_POLL_MS = 5_000;

/** The current time, ticking while `intervalMs` is set. */
function useNow(intervalMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function LiveRow({ call, now, timeZone }: { call: LiveCall; now: number; timeZone: string }) {
  const since = call.answeredAt ?? call.startedAt;
  const elapsed = Math.max(0, Math.floor((now - since.getTime()) / 1000));
  return (
    <li className="live-call">
      <div className="live-call-main">
        <span className="live-call-button">{call.button.name}</span>
        <Badge tone={statusTones[call.status]}>{statusLabels[call.status]}</Badge>
      </div>
      <p className="live-call-facts">
        <span>
          {call.answeredAt ? "Talking for " : "Waiting for "}
          <span className="num">{formatDuration(elapsed)}</span>
        </span>
        <span>{transportLabels[call.transport]}</span>
        <span>Started {formatCallTime(call.startedAt, timeZone)}</span>
        {call.visitorIp ? <span>IP {call.visitorIp}</span> : null}
        {call.pageUrl ? (
          <span className="break" title={call.pageUrl}>
            From {shortPageUrl(call.pageUrl)}
          </span>
        ) : null}
      </p>
    </li>
  );
}

/**
 * Calls not yet ended, refreshed every few seconds (and on returning to the tab). Any change
 * refreshes the log (a new call, an answer, an end); a call that leaves this list has ended, and
 * `onEnded` is told which, so the page refreshes its totals and charts only when they change.
 */
export function LiveCalls({ onEnded }: { onEnded?: (ended: LiveCall[]) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const live = useQuery({
    ...trpc.callLog.live.queryOptions(),
    refetchInterval: LIVE_POLL_MS,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
    staleTime: 0,
  });

  const items = live.data?.items;
  const ids = items?.map((c) => `${c.id}:${c.status}`).join(",");
  const previous = useRef<{ ids: string; items: LiveCall[] } | undefined>(undefined);
  const endedRef = useRef(onEnded);
  endedRef.current = onEnded;
  useEffect(() => {
    if (ids === undefined || !items) return;
    const before = previous.current;
    previous.current = { ids, items };
    if (before === undefined || before.ids === ids) return;
    void queryClient.invalidateQueries({ queryKey: trpc.callLog.list.pathKey() });
    const still = new Set(items.map((c) => c.id));
    const ended = before.items.filter((c) => !still.has(c.id));
    if (ended.length > 0) endedRef.current?.(ended);
  }, [ids, items, queryClient, trpc]);

  const count = live.data?.items.length ?? 0;
  const now = useNow(count > 0 ? 1000 : null);
  return (
    <Card
      id="live-calls"
      title="Calls in progress"
      description={live.data && count > 0 ? `${count} right now. Updated every few seconds.` : undefined}
    >
      {live.isPending ? (
        <Skeleton lines={2} label="Loading calls in progress…" />
      ) : live.isError && !live.data ? (
        <ErrorState
          title="We could not load the calls in progress"
          message={describeError(live.error).message}
          onRetry={() => live.refetch()}
          retrying={live.isFetching}
        />
      ) : count === 0 ? (
        <p className="muted">No calls in progress.</p>
      ) : (
        <ul className="live-calls" aria-label="Calls in progress">
          {live.data?.items.map((call) => (
            <LiveRow key={call.id} call={call} now={now} timeZone={live.data.timezone} />
          ))}
        </ul>
      )}
    </Card>
  );
}
