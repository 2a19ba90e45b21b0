import { Button, EmptyState, ErrorState, PageHeader, Skeleton } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { LinkifiedText } from "../components/LinkifiedText";
import { describeError } from "../lib/errors";
import { formatDateTime } from "../lib/format";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

const InboxIcon = (
  <svg aria-hidden="true" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8">
    <path d="M3 13h5l1.5 3h5L16 13h5M5 5h14l2 8v6H3v-6l2-8Z" strokeLinejoin="round" />
  </svg>
);

/** Development only: the emails the server would have sent, newest first, with working links. */
export function DevOutboxPage() {
  usePageTitle("Dev outbox");
  const trpc = useTRPC();
  // New mail arrives from other tabs (signup, reset), so keep the list fresh while it is open.
  const outbox = useQuery({ ...trpc.system.devOutbox.queryOptions(), refetchInterval: 5000, staleTime: 0 });

  return (
    <>
      <PageHeader
        title="Dev outbox"
        description="This server keeps email here instead of sending it. Nothing leaves this machine. Configure a mail service to send real email."
        actions={
          outbox.isError ? null : (
            <Button
              variant="secondary"
              size="sm"
              onClick={() => outbox.refetch()}
              pending={outbox.isFetching && !outbox.isPending}
              pendingLabel="Refreshing…"
            >
              Refresh
            </Button>
          )
        }
      />
      {outbox.isPending ? (
        <div className="ui-card outbox-loading">
          <Skeleton lines={6} label="Loading emails…" />
        </div>
      ) : outbox.isError ? (
        <OutboxError error={outbox.error} onRetry={() => outbox.refetch()} retrying={outbox.isFetching} />
      ) : outbox.data.length === 0 ? (
        <EmptyState icon={InboxIcon} title="No emails yet">
          <p>
            When someone signs up, asks for a password reset or changes a password, the email shows up here
            within a few seconds.
          </p>
        </EmptyState>
      ) : (
        <ol className="outbox-list" aria-label="Emails, newest first">
          {outbox.data.map((message) => (
            <li key={message.id}>
              <article className="ui-card outbox-message" aria-labelledby={`mail-${message.id}`}>
                <header className="outbox-message-header">
                  <h2 id={`mail-${message.id}`} className="outbox-subject">
                    {message.subject}
                  </h2>
                  <p className="outbox-meta">
                    <span>
                      To <strong className="break">{message.to}</strong>
                    </span>
                    <time dateTime={message.createdAt.toISOString()}>
                      {formatDateTime(message.createdAt)}
                    </time>
                  </p>
                </header>
                <div className="outbox-text">
                  <LinkifiedText text={message.text} />
                </div>
              </article>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function OutboxError({
  error,
  onRetry,
  retrying,
}: {
  error: unknown;
  onRetry: () => void;
  retrying: boolean;
}) {
  const info = describeError(error);
  // Off in production and with a real mail service: retrying will not change that.
  if (info.appCode === "NOT_FOUND")
    return <ErrorState title="The dev outbox is off" message={info.message} />;
  return (
    <ErrorState
      title="We could not load the dev outbox"
      message={info.message}
      onRetry={onRetry}
      retrying={retrying}
    />
  );
}
