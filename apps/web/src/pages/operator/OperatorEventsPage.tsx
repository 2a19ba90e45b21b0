import "./operator.css";
import { Button, Card, EmptyState, ErrorState, PageHeader, Skeleton, TableScroll, TextField } from "@cac/ui";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { describeError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { usePageTitle } from "../../lib/usePageTitle";
import { useTRPC } from "../../trpc";
import { formatCount } from "../calls/format";
import { Pager } from "./Pager";

const kindLabels: Record<string, string> = {
  call_refused_blocked_ip: "Call refused: blocked or flagged IP",
  call_refused_rate_limited: "Call refused: too many attempts",
  call_refused_captcha: "Call refused: captcha not passed",
  callback_refused_blocked_ip: "Callback request refused: blocked IP",
  callback_refused_rate_limited: "Callback request refused: too many attempts",
  callback_refused_captcha: "Callback request refused: captcha not passed",
  ip_flagged: "IP flagged automatically",
  ip_blocked_by_customer: "Blocked by a customer",
  ip_unblocked_by_customer: "Unblocked by a customer",
  ip_blocked_by_operator: "Blocked by an operator",
  flag_cleared: "Flag cleared",
};

/** The details worth reading at a glance: the rule, limit, button and who acted. */
function describeDetail(detail: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ["reason", "rule", "limit", "button", "by", "source"]) {
    const value = detail[key];
    if (typeof value === "string" || typeof value === "number") parts.push(`${key}: ${value}`);
  }
  return parts.join(" · ");
}

/** Operators: security events, newest first, for one IP or all. */
export function OperatorEventsPage() {
  usePageTitle("Security events");
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const ip = params.get("ip") ?? "";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const [search, setSearch] = useState(ip);
  const events = useQuery({
    ...trpc.abuse.events.queryOptions({ ip: ip || undefined, page }),
    placeholderData: keepPreviousData,
  });
  const error = events.isError ? describeError(events.error) : null;

  const go = (next: { ip?: string; page?: number }) => {
    const merged = new URLSearchParams();
    const nextIp = next.ip ?? ip;
    if (nextIp) merged.set("ip", nextIp);
    if (next.page && next.page > 1) merged.set("page", String(next.page));
    setParams(merged, { replace: true });
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const merged = new URLSearchParams();
    if (search.trim()) merged.set("ip", search.trim());
    setParams(merged, { replace: true });
  };

  return (
    <div className="stack-lg">
      <PageHeader
        title="Security events"
        description="Refused calls and callback requests, flags and blocks, newest first. Repeated refusals of one IP within a minute are counted on one row. Security IP logs are kept for up to 12 months."
      />
      <Card title={ip ? `Events of ${ip}` : "All events"} id="operator-events">
        <div className="stack">
          <form className="operator-search" onSubmit={submit}>
            <TextField
              label="IP address"
              hint="The whole address, e.g. 203.0.113.7. Leave empty for all IPs."
              value={search}
              spellCheck={false}
              autoComplete="off"
              error={error?.fieldErrors.ip}
              onChange={(event) => setSearch(event.target.value)}
            />
            <Button type="submit" variant="secondary">
              Show events
            </Button>
          </form>
          {events.isPending ? (
            <Skeleton lines={8} label="Loading security events…" />
          ) : events.isError ? (
            error?.fieldErrors.ip ? null : (
              <ErrorState
                title="We could not load the security events"
                message={error?.message}
                onRetry={() => events.refetch()}
                retrying={events.isFetching}
              />
            )
          ) : events.data.items.length === 0 ? (
            <EmptyState
              title={ip ? `No security events for ${ip}` : "No security events yet"}
              headingLevel={3}
            >
              <p>Refused calls and callback requests, flags and blocks are recorded here.</p>
            </EmptyState>
          ) : (
            <>
              <TableScroll label="Security events">
                <table className="ui-table" aria-busy={events.isPlaceholderData || undefined}>
                  <thead>
                    <tr>
                      <th scope="col">Time</th>
                      <th scope="col">Event</th>
                      <th scope="col" className="num">
                        Times
                      </th>
                      <th scope="col">IP</th>
                      <th scope="col">Account</th>
                      <th scope="col">Details</th>
                    </tr>
                  </thead>
                  <tbody>
                    {events.data.items.map((event) => (
                      <tr key={event.id}>
                        <td className="nowrap">
                          <time dateTime={event.createdAt.toISOString()}>
                            {formatDateTime(event.createdAt)}
                          </time>
                        </td>
                        <td>{kindLabels[event.kind] ?? event.kind}</td>
                        {/* Repeated refusals of an IP within a minute are one row with a count. */}
                        <td className="num">{formatCount(event.count)}</td>
                        <td className="operator-ip">
                          {event.ip ? (
                            <Link to={`/operator/events?ip=${encodeURIComponent(event.ip)}`}>{event.ip}</Link>
                          ) : (
                            <span className="muted">None</span>
                          )}
                        </td>
                        <td>{event.account?.companyName ?? <span className="muted">None</span>}</td>
                        <td className="operator-detail">{describeDetail(event.detail)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
              <Pager
                page={page}
                hasMore={events.data.hasMore}
                summary={`Page ${page}${events.data.hasMore ? "" : " (the last)"}`}
                onPage={(next) => go({ page: next })}
              />
            </>
          )}
        </div>
      </Card>
    </div>
  );
}
