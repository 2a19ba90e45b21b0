import { Alert, Button, Card, EmptyState, ErrorState, Skeleton, TextField } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { managesAccount, useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { formatDateTime, formatRelative } from "../../lib/format";
import { useFormErrors } from "../../lib/useFormErrors";
import { useTRPC } from "../../trpc";
import { useIpBlocks } from "./IpBlocks";

/** The owner's blocked IPs: refused on this account's buttons only. */
export function BlockedIps() {
  const { user } = useMe();
  if (!managesAccount(user.role)) return null;
  return <BlockedIpsCard />;
}

function BlockedIpsCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const blocks = useQuery(trpc.abuse.listBlocks.queryOptions());
  const context = useIpBlocks();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, ["ip"]);
  const [ip, setIp] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation(
    trpc.abuse.blockIp.mutationOptions({
      onSuccess: async (result) => {
        setIp("");
        errors.clear();
        setAdded(result.created ? `${result.ip} is blocked.` : `${result.ip} was already blocked.`);
        await queryClient.invalidateQueries({ queryKey: trpc.abuse.listBlocks.queryKey() });
      },
      onError: (error) => errors.report(error),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    add.mutate({ ip });
  };

  return (
    <Card
      id="blocked-ips"
      title="Blocked IPs"
      description="Calls from these IP addresses to your buttons are refused. Other businesses are not affected."
    >
      <div className="stack">
        {blocks.isPending ? (
          <Skeleton lines={3} label="Loading blocked IPs…" />
        ) : blocks.isError ? (
          <ErrorState
            title="We could not load your blocked IPs"
            message={describeError(blocks.error).message}
            onRetry={() => blocks.refetch()}
            retrying={blocks.isFetching}
          />
        ) : blocks.data.length === 0 ? (
          <EmptyState title="No blocked IPs" headingLevel={3}>
            <p>Block a caller with “Block IP” in the call log, or enter an address below.</p>
          </EmptyState>
        ) : (
          <ul className="blocked-ips" aria-label="Blocked IPs">
            {blocks.data.map((block) => (
              <li key={block.id} className="blocked-ip">
                <div>
                  <p className="mono blocked-ip-address">{block.ip}</p>
                  <p className="muted">
                    {block.reason} · Blocked{" "}
                    <time dateTime={block.createdAt.toISOString()} title={formatDateTime(block.createdAt)}>
                      {formatRelative(block.createdAt)}
                    </time>
                    .
                  </p>
                </div>
                <Button
                  variant="secondary"
                  size="sm"
                  aria-label={`Unblock ${block.ip}`}
                  pending={context?.unblocking === block.ip}
                  pendingLabel="Unblocking…"
                  onClick={() => context?.unblock(block.ip)}
                >
                  Unblock
                </Button>
              </li>
            ))}
          </ul>
        )}
        <form ref={formRef} className="blocked-ips-form" onSubmit={submit} noValidate>
          {errors.error && !errors.field("ip") ? (
            <Alert tone="error" ref={errors.alertRef}>
              {errors.error.message}
            </Alert>
          ) : null}
          {added ? (
            <p className="muted" aria-live="polite">
              {added}
            </p>
          ) : null}
          <TextField
            label="Block an IP address"
            hint="For example 203.0.113.7 (IPv4) or 2001:db8::1 (IPv6: its whole /64 network, one subscriber's, is blocked)."
            required
            value={ip}
            autoComplete="off"
            spellCheck={false}
            error={errors.field("ip")}
            onChange={(event) => {
              setIp(event.target.value);
              errors.fieldEdited("ip");
            }}
          />
          <Button type="submit" variant="secondary" pending={add.isPending} pendingLabel="Blocking…">
            Block IP
          </Button>
        </form>
      </div>
    </Card>
  );
}
