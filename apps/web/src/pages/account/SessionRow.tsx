import { Badge, Button } from "@cac/ui";
import { describeUserAgent, formatDateTime, formatRelative } from "../../lib/format";
import type { RouterOutputs } from "../../trpc";

type Session = RouterOutputs["account"]["sessions"][number];

/** One logged-in device: what it is, its IP, when it logged in and was last used. */
export function SessionRow({
  session,
  pending,
  disabled,
  onRevoke,
}: {
  session: Session;
  pending: boolean;
  disabled: boolean;
  onRevoke: () => void;
}) {
  const device = describeUserAgent(session.userAgent);
  return (
    <li className="session" aria-current={session.current ? "true" : undefined}>
      <div className="session-main">
        <p className="session-device">
          <span>{device}</span> {session.current ? <Badge tone="info">This device</Badge> : null}
        </p>
        {session.userAgent ? <p className="session-ua">{session.userAgent}</p> : null}
        <dl className="session-facts">
          <div>
            <dt>IP address</dt>
            <dd>{session.ip ?? "Unknown"}</dd>
          </div>
          <div>
            <dt>Logged in</dt>
            <dd>
              <time dateTime={session.createdAt.toISOString()}>{formatDateTime(session.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>
              <time dateTime={session.lastUsedAt.toISOString()} title={formatDateTime(session.lastUsedAt)}>
                {formatRelative(session.lastUsedAt)}
              </time>
            </dd>
          </div>
        </dl>
      </div>
      <Button
        variant="secondary"
        size="sm"
        onClick={onRevoke}
        disabled={disabled}
        pending={pending}
        pendingLabel="Logging out…"
        aria-label={
          session.current
            ? "Log out this device"
            : `Log out ${device}, last used ${formatRelative(session.lastUsedAt)}`
        }
      >
        Log out
      </Button>
    </li>
  );
}
