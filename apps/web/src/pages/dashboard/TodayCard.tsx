import { Card } from "@cac/ui";
import { Link } from "react-router";
import type { RouterOutputs } from "../../trpc";
import { formatDay } from "../calls/format";

type Today = NonNullable<RouterOutputs["dashboard"]["overview"]["today"]>;

/** Today's calls, missed calls, callbacks waiting and who calls ring now, in the account's timezone. */
export function TodayCard({ today }: { today: Today }) {
  const figures = [
    { key: "calls", label: "Calls", value: today.calls, to: `/calls?from=${today.date}&to=${today.date}` },
    {
      key: "missed",
      label: "Missed calls",
      value: today.missed,
      to: `/calls?from=${today.date}&to=${today.date}&status=no-answer,busy,failed,canceled,unavailable`,
    },
    { key: "callbacks", label: "Callbacks waiting", value: today.callbacksWaiting, to: "/callbacks" },
  ];
  return (
    <Card
      title="Today"
      id="today"
      description={`${formatDay(today.date)}, in your account's timezone (${today.timezone}).`}
    >
      <dl className="today-figures">
        {figures.map((figure) => (
          <div key={figure.key} className="today-figure">
            <dt>{figure.label}</dt>
            <dd>
              <Link to={figure.to}>{figure.value.toLocaleString()}</Link>
            </dd>
          </div>
        ))}
      </dl>
      <h3 className="today-subtitle">Who calls ring now</h3>
      {today.reachable.length === 0 ? (
        <p className="step-body">
          Nobody: calls go to the callback form. Turn on “Available to answer calls” at the top of the page.
        </p>
      ) : (
        <ul className="today-reachable">
          {today.reachable.map((member) => (
            <li key={member.userId}>{member.name}</li>
          ))}
        </ul>
      )}
    </Card>
  );
}
