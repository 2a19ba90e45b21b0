import { ErrorState, Skeleton, TableScroll } from "@cac/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import type uPlot from "uplot";
import { describeError } from "../../lib/errors";
import { type RouterOutputs, useTRPC } from "../../trpc";
import { type AggregateInput, aggregateQueryOptions } from "./aggregate-range";
import { formatCount, formatDay, formatPercent } from "./format";

type Charts = RouterOutputs["callLog"]["charts"];
type UPlotClass = typeof uPlot;

// uPlot and its stylesheet load on first use, so they never hold up the page's first paint.
let uplotModule: Promise<UPlotClass> | undefined;
function loadUPlot(): Promise<UPlotClass> {
  uplotModule ??= Promise.all([import("uplot"), import("uplot/dist/uPlot.min.css")]).then(
    ([module]) => module.default,
  );
  // A failed load (offline) may be retried by the next chart.
  uplotModule.catch(() => {
    uplotModule = undefined;
  });
  return uplotModule;
}

type ChartSpec = {
  id: string;
  title: string;
  color: string;
  fill: string;
  kind: "bars" | "line";
  values: Array<number | null>;
  /** Formats a y value for the axis. */
  format: (value: number) => string;
  /** Fixed y range (the answer rate is 0–100 %). */
  range?: [number, number];
  summary: string;
};

const CHART_HEIGHT = 180;

function UPlotChart({ spec, charts }: { spec: ChartSpec; charts: Charts }) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | undefined;
    let observer: ResizeObserver | undefined;
    let gone = false;
    setFailed(false);
    loadUPlot().then(
      (UPlot) => {
        if (gone) return;
        const tz = charts.timezone;
        const width = Math.max(240, Math.floor(el.clientWidth));
        const options: uPlot.Options = {
          width,
          height: CHART_HEIGHT,
          // Days start at midnight in the account's timezone; label them in that zone too.
          tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), tz),
          legend: { show: false },
          cursor: { drag: { x: false, y: false }, points: { size: 6 } },
          scales: {
            x: { time: true },
            y: spec.range
              ? { range: spec.range }
              : { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.15))] },
          },
          axes: [
            { stroke: "#4f5668", grid: { stroke: "#e6e9ef" }, ticks: { stroke: "#d5d9e1" } },
            {
              stroke: "#4f5668",
              grid: { stroke: "#e6e9ef" },
              ticks: { stroke: "#d5d9e1" },
              size: 48,
              values: (_u, splits) => splits.map((v) => spec.format(v)),
              ...(spec.range ? {} : { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] }),
            },
          ],
          series: [
            {},
            {
              label: spec.title,
              stroke: spec.color,
              width: spec.kind === "bars" ? 0 : 2,
              fill: spec.fill,
              points: { show: spec.kind === "line" && charts.days.length <= 45, size: 5 },
              spanGaps: false,
              ...(spec.kind === "bars" ? { paths: UPlot.paths.bars?.({ size: [0.7, 28], gap: 1 }) } : {}),
            },
          ],
        };
        plot = new UPlot(options, [charts.dayStarts, spec.values], el);
        observer = new ResizeObserver(() => {
          const next = Math.max(240, Math.floor(el.clientWidth));
          if (plot && next !== plot.width) plot.setSize({ width: next, height: CHART_HEIGHT });
        });
        observer.observe(el);
      },
      () => {
        if (!gone) setFailed(true);
      },
    );
    return () => {
      gone = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [spec, charts, attempt]);

  return (
    <figure className="calls-chart" aria-labelledby={`${spec.id}-title`}>
      <figcaption className="calls-chart-caption">
        <h3 className="calls-chart-title" id={`${spec.id}-title`}>
          {spec.title}
        </h3>
        <p className="calls-chart-summary">{spec.summary}</p>
      </figcaption>
      {failed ? (
        <ErrorState
          title="The chart could not load"
          message="Check your connection and try again."
          onRetry={() => setAttempt((n) => n + 1)}
        />
      ) : (
        <div ref={box} className="calls-chart-canvas" aria-hidden="true" data-testid={`${spec.id}-canvas`} />
      )}
    </figure>
  );
}

function peak(values: Array<number | null>, days: string[]): string | null {
  let best = -1;
  let bestDay: string | undefined;
  values.forEach((v, i) => {
    if (v !== null && v > best) {
      best = v;
      bestDay = days[i];
    }
  });
  return best > 0 && bestDay ? formatDay(bestDay) : null;
}

function specsFor(charts: Charts): ChartSpec[] {
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const calls = sum(charts.calls);
  const minutes = sum(charts.minutes);
  const rated = charts.answerRate.filter((r): r is number => r !== null);
  const callsPeak = peak(charts.calls, charts.days);
  const minutesPeak = peak(charts.minutes, charts.days);
  return [
    {
      id: "chart-calls",
      title: "Calls per day",
      color: "#1d4ed8",
      fill: "#1d4ed8",
      kind: "bars",
      values: charts.calls,
      format: (v) => formatCount(v),
      summary: `${formatCount(calls)} call${calls === 1 ? "" : "s"}${callsPeak ? `, busiest on ${callsPeak}` : ""}.`,
    },
    {
      id: "chart-minutes",
      title: "Minutes per day",
      color: "#146c34",
      fill: "#1f8a46",
      kind: "bars",
      values: charts.minutes,
      format: (v) => formatCount(v),
      summary: `${formatCount(minutes)} billed minute${minutes === 1 ? "" : "s"}${minutesPeak ? `, most on ${minutesPeak}` : ""}.`,
    },
    {
      id: "chart-answer-rate",
      title: "Answer rate",
      color: "#6d28d9",
      fill: "rgba(109, 40, 217, 0.08)",
      kind: "line",
      values: charts.answerRate.map((r) => (r === null ? null : r * 100)),
      format: (v) => `${Math.round(v)}%`,
      range: [0, 100],
      summary: rated.length
        ? `Between ${formatPercent(Math.min(...rated))} and ${formatPercent(Math.max(...rated))} on days with calls.`
        : "No calls in this range.",
    },
  ];
}

/** Calls, minutes and answer rate per day for the filtered set, over the page's range. */
export function CallCharts({ input }: { input: AggregateInput }) {
  const trpc = useTRPC();
  const query = useQuery({
    ...trpc.callLog.charts.queryOptions(input),
    ...aggregateQueryOptions,
    placeholderData: keepPreviousData,
  });
  const charts = query.data;
  const specs = useMemo(() => (charts ? specsFor(charts) : []), [charts]);

  if (query.isPending) return <Skeleton lines={6} label="Loading charts…" />;
  if (query.isError || !charts) {
    return (
      <ErrorState
        title="We could not load the charts"
        message={describeError(query.error).message}
        onRetry={() => query.refetch()}
        retrying={query.isFetching}
      />
    );
  }
  return (
    <div className="stack">
      <p className="muted calls-chart-range">
        {charts.from === charts.to
          ? formatDay(charts.from)
          : `${formatDay(charts.from)} – ${formatDay(charts.to)}`}
      </p>
      <div className="calls-charts">
        {specs.map((spec) => (
          <UPlotChart key={spec.id} spec={spec} charts={charts} />
        ))}
      </div>
      <details className="calls-chart-table">
        <summary>Daily figures as a table</summary>
        <TableScroll label="Daily figures">
          <table className="ui-table calls-daily-table">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Calls
                </th>
                <th scope="col" className="num">
                  Minutes
                </th>
                <th scope="col" className="num">
                  Answer rate
                </th>
              </tr>
            </thead>
            <tbody>
              {charts.days.map((day, i) => (
                <tr key={day}>
                  <th scope="row">{formatDay(day)}</th>
                  <td className="num">{formatCount(charts.calls[i] ?? 0)}</td>
                  <td className="num">{formatCount(charts.minutes[i] ?? 0)}</td>
                  <td className="num">{formatPercent(charts.answerRate[i] ?? null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      </details>
    </div>
  );
}
