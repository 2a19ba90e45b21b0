import { Badge, Button, TableScroll } from "@cac/ui";
import { Fragment, useState } from "react";
import { CallWork } from "./CallWork";
import {
  type CallRow,
  describeDuration,
  formatCallTime,
  formatCount,
  formatDuration,
  shortPageUrl,
  statusLabels,
  statusTones,
  transportLabels,
  zoneAbbreviation,
} from "./format";
import { VisitorIpCell } from "./IpBlocks";

type Props = {
  rows: CallRow[];
  timeZone: string;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
};

/**
 * The log, newest first. On narrow screens the table scrolls sideways inside its own region,
 * which is focusable so keyboard users can scroll it too.
 */
export function CallTable({ rows, timeZone, hasMore, loadingMore, onLoadMore }: Props) {
  const zone = zoneAbbreviation(timeZone, rows[0]?.startedAt);
  // The call whose notes and tags are open under its row (one at a time).
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <div className="stack">
      <TableScroll label="Call log">
        <table className="ui-table calls-table">
          <caption className="ui-visually-hidden">Calls, newest first. Times are in {timeZone}.</caption>
          <thead>
            <tr>
              <th scope="col">
                Time <span className="calls-zone">({zone})</span>
              </th>
              <th scope="col">Button</th>
              <th scope="col" className="num">
                Duration
              </th>
              <th scope="col">Status</th>
              <th scope="col">Answered by</th>
              <th scope="col">Transport</th>
              <th scope="col">Visitor IP</th>
              <th scope="col">Notes and tags</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Fragment key={row.id}>
                <tr>
                  <td className="nowrap">
                    <time dateTime={row.startedAt.toISOString()}>
                      {formatCallTime(row.startedAt, timeZone)}
                    </time>
                  </td>
                  <td>
                    <span className={row.button.id ? "calls-button" : "calls-button muted"}>
                      {row.button.name}
                    </span>
                    {row.pageUrl ? (
                      <span className="calls-page" title={row.pageUrl}>
                        {shortPageUrl(row.pageUrl)}
                      </span>
                    ) : null}
                  </td>
                  <td className="num">
                    <span aria-hidden="true">{formatDuration(row.durationSeconds)}</span>
                    <span className="ui-visually-hidden">{describeDuration(row.durationSeconds)}</span>
                  </td>
                  <td>
                    <Badge tone={statusTones[row.status]}>{statusLabels[row.status]}</Badge>
                    {/* From the button's test page: outside the quota. */}
                    {row.test ? <Badge tone="info">Test</Badge> : null}
                    {row.failureReason ? <span className="calls-reason">{row.failureReason}</span> : null}
                  </td>
                  <td>{row.answeredBy ?? <span className="muted">—</span>}</td>
                  <td>{transportLabels[row.transport]}</td>
                  <td className="mono">
                    <VisitorIpCell callId={row.id} ip={row.visitorIp} />
                  </td>
                  <td>
                    {row.tags.length ? (
                      <span className="work-tags">
                        {row.tags.map((tag) => (
                          <Badge key={tag}>{tag}</Badge>
                        ))}
                      </span>
                    ) : null}
                    <Button
                      variant="link"
                      size="sm"
                      aria-expanded={openId === row.id}
                      aria-controls={openId === row.id ? `call-work-${row.id}` : undefined}
                      onClick={() => setOpenId(openId === row.id ? null : row.id)}
                    >
                      {openId === row.id ? "Close" : row.hasNotes ? "Notes" : "Add notes"}
                      <span className="ui-visually-hidden">
                        {" "}
                        for the call at {formatCallTime(row.startedAt, timeZone)}
                      </span>
                    </Button>
                  </td>
                </tr>
                {openId === row.id ? (
                  <tr className="calls-work-row">
                    <td colSpan={8} id={`call-work-${row.id}`}>
                      <CallWork
                        callId={row.id}
                        subject={`the call at ${formatCallTime(row.startedAt, timeZone)}`}
                      />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <div className="calls-more">
        <p className="muted" aria-live="polite">
          {hasMore
            ? `Showing the latest ${formatCount(rows.length)} calls.`
            : `Showing all ${formatCount(rows.length)} call${rows.length === 1 ? "" : "s"}.`}
        </p>
        {hasMore ? (
          <Button variant="secondary" onClick={onLoadMore} pending={loadingMore} pendingLabel="Loading…">
            Load more
          </Button>
        ) : null}
      </div>
    </div>
  );
}
