import { Alert, Card, ProgressBar } from "@cac/ui";
import { SeatsBar } from "../team/SeatUsage";
import { formatCount, formatDate } from "./format";
import type { Overview } from "./types";

/** Minutes, active buttons and seats against the plan's limits, this billing period. */
export function UsageCard({ overview, timeZone }: { overview: Overview; timeZone: string }) {
  const u = overview.usage;
  // Without a subscription the period is the calendar month in UTC; a subscription has its own.
  const zone = overview.subscription ? timeZone : "UTC";
  const lastDay = new Date(u.periodEnd.getTime() - 1);
  const minutesTone = u.percentUsed >= 100 ? "danger" : u.percentUsed >= 80 ? "warning" : "primary";
  const buttonsFull = u.buttonsEnabled >= u.buttonsAllowed;
  return (
    <Card
      id="usage"
      title="Usage this period"
      description={`${formatDate(u.periodStart, zone)} – ${formatDate(lastDay, zone)}`}
    >
      <div className="stack">
        <ProgressBar
          label="Minutes"
          value={u.minutesUsed}
          max={u.minutesIncluded}
          tone={minutesTone}
          detail={`${formatCount(u.minutesUsed)} of ${formatCount(u.minutesIncluded)} min`}
          valueText={`${formatCount(u.minutesUsed)} of ${formatCount(u.minutesIncluded)} minutes used`}
        />
        <ProgressBar
          label="Active buttons"
          value={u.buttonsEnabled}
          max={u.buttonsAllowed}
          tone={buttonsFull ? "warning" : "primary"}
          detail={`${formatCount(u.buttonsEnabled)} of ${formatCount(u.buttonsAllowed)}`}
          valueText={`${formatCount(u.buttonsEnabled)} of ${formatCount(u.buttonsAllowed)} buttons active`}
        />
        <SeatsBar />
        <dl className="billing-facts">
          <div>
            <dt>Calls</dt>
            <dd>{formatCount(u.calls)}</dd>
          </div>
          <div>
            <dt>Minutes left</dt>
            <dd>{formatCount(u.minutesLeft)}</dd>
          </div>
        </dl>
        {u.minutesLeft === 0 ? (
          <Alert tone="warning">
            You have used all the minutes of your plan for this period. New calls are refused until{" "}
            {formatDate(u.periodEnd, zone)}
            {overview.canManage ? ", or upgrade for more minutes now." : "."}
          </Alert>
        ) : null}
        <p className="muted billing-footnote">Each call counts as whole minutes, rounded up.</p>
      </div>
    </Card>
  );
}
