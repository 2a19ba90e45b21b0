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

/** Column headings; on a narrow log each cell shows its own as a label (calls.css). */
const headings = {
  button: "Button",
  duration: "Duration",
  status: "Status",
  answeredBy: "Answered by",
  source: "Source",
  transport: "Transport",
  ip: "Visitor IP",
  work: "Notes and tags",
};

/**
 * The log, newest first. Wide, it is a table (scrolling sideways inside its own focusable region
 * if it must); in a narrow container (a phone) the same rows show as cards, one per call, with
 * each cell labelled, so nothing needs sideways scrolling.
 */
export function CallTable({ rows, timeZone, hasMore, loadingMore, onLoadMore }: Props) {
  const zone = zoneAbbreviation(timeZone, rows[0]?.startedAt);
  // The call whose notes and tags are open under its row (one at a time).
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <div className="stack calls-log">
      <TableScroll label="Call log">
        <table className="ui-table calls-table">
          <caption className="ui-visually-hidden">Calls, newest first. Times are in {timeZone}.</caption>
          <thead>
            <tr>
              <th scope="col">
                Time <span className="calls-zone">({zone})</span>
              </th>
              <th scope="col">{headings.button}</th>
              <th scope="col" className="num">
                {headings.duration}
              </th>
              <th scope="col">{headings.status}</th>
              <th scope="col">{headings.answeredBy}</th>
              <th scope="col">{headings.source}</th>
              <th scope="col">{headings.transport}</th>
              <th scope="col">{headings.ip}</th>
              <th scope="col">{headings.work}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Fragment key={row.id}>
                <tr className="calls-row">
                  <td className="nowrap calls-time" data-label={`Time (${zone})`}>
                    <time dateTime={row.startedAt.toISOString()}>
                      {formatCallTime(row.startedAt, timeZone)}
                    </time>
                  </td>
                  <td data-label={headings.button}>
                    <span className={row.button.id ? "calls-button" : "calls-button muted"}>
                      {row.button.name}
                    </span>
                    {row.pageUrl ? (
                      <span className="calls-page" title={row.pageUrl}>
                        {shortPageUrl(row.pageUrl)}
                      </span>
                    ) : null}
                  </td>
                  <td className="num" data-label={headings.duration}>
                    <span aria-hidden="true">{formatDuration(row.durationSeconds)}</span>
                    <span className="ui-visually-hidden">{describeDuration(row.durationSeconds)}</span>
                  </td>
                  <td data-label={headings.status}>
                    <Badge tone={statusTones[row.status]}>{statusLabels[row.status]}</Badge>
                    {/* From the button's test page: outside the quota. */}
                    {row.test ? <Badge tone="info">Test</Badge> : null}
                    {/* The widget spoke Spanish to this visitor (English is the default, unmarked). */}
                    {row.language === "es" ? <Badge tone="info">Spanish</Badge> : null}
                    {row.failureReason ? <span className="calls-reason">{row.failureReason}</span> : null}
                  </td>
                  <td data-label={headings.answeredBy}>
                    {row.answeredBy ?? <span className="muted">—</span>}
                  </td>
                  <td data-label={headings.source}>
                    {row.source ?? <span className="muted">—</span>}
                    {row.campaign ? <span className="calls-campaign">{row.campaign}</span> : null}
                  </td>
                  <td data-label={headings.transport}>{transportLabels[row.transport]}</td>
                  <td className="mono" data-label={headings.ip}>
                    <VisitorIpCell callId={row.id} ip={row.visitorIp} />
                  </td>
                  <td data-label={headings.work}>
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
                    <td colSpan={9} id={`call-work-${row.id}`}>
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
