import { Badge, Button, Spinner } from "@cac/ui";
import { Link } from "react-router";
import { describeModes, useSystemInfo, usesDevOutbox } from "../lib/system";

/** Says plainly which adapters this server runs with, so nobody mistakes local mode for production. */
export function ModesLine() {
  const info = useSystemInfo();
  if (info.isPending) {
    return (
      <p className="modes">
        <Spinner size="sm" label="Checking how this server is set up…" showLabel />
      </p>
    );
  }
  if (info.isError) {
    return (
      <p className="modes">
        <span>We could not check how this server is set up.</span>{" "}
        <Button variant="link" onClick={() => info.refetch()}>
          Try again
        </Button>
      </p>
    );
  }
  const modes = describeModes(info.data);
  return (
    <div className="modes">
      <Badge tone={info.data.production ? "success" : "warning"}>
        {info.data.production ? "Production" : "Development"}
      </Badge>
      <ul className="modes-list" aria-label="Server modes">
        {modes.map((mode) => (
          <li key={mode.key}>
            <span className="modes-label">{mode.label}:</span> {mode.value}
          </li>
        ))}
      </ul>
      {usesDevOutbox(info.data) ? (
        <Link to="/dev/outbox" className="modes-link">
          Open the dev outbox
        </Link>
      ) : null}
    </div>
  );
}
