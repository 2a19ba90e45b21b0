import "./operator.css";
import {
  Alert,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  PageHeader,
  Skeleton,
  TableScroll,
  TextField,
} from "@cac/ui";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { describeError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { usePageTitle } from "../../lib/usePageTitle";
import { type RouterOutputs, useTRPC } from "../../trpc";
import { AddBlockForm } from "./AddBlockForm";
import { Pager } from "./Pager";

type Flag = RouterOutputs["abuse"]["flags"]["items"][number];
type Status = "active" | "expired" | "cleared" | "all";

const statuses: Array<[Status, string]> = [
  ["active", "Active"],
  ["expired", "Expired"],
  ["cleared", "Cleared"],
  ["all", "All"],
];

const statusTones = { active: "error", expired: "neutral", cleared: "success" } as const;
const statusLabels = { active: "Active", expired: "Expired", cleared: "Cleared" } as const;

function sourceLabel(flag: Flag) {
  if (flag.source === "auto") return "Automatic";
  if (flag.source === "operator") return "Operator";
  return `Customer: ${flag.account?.companyName ?? "a closed account"}`;
}

/** Operators: flagged and blocked IPs (automatic, operator and customers' own), cleared here. */
export function OperatorFlagsPage() {
  usePageTitle("Flagged IPs");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const status = (statuses.find(([value]) => value === params.get("status"))?.[0] ?? "active") as Status;
  const ip = params.get("ip") ?? "";
  const page = Math.max(1, Number(params.get("page")) || 1);
  const [search, setSearch] = useState(ip);
  const [clearing, setClearing] = useState<Flag | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const flags = useQuery({
    ...trpc.abuse.flags.queryOptions({ status, ip: ip || undefined, page }),
    placeholderData: keepPreviousData,
  });
  const clear = useMutation(
    trpc.abuse.clearFlag.mutationOptions({
      onSuccess: async () => {
        setNotice(`The flag on ${clearing?.ip ?? "the IP"} is cleared. It can call again.`);
        setClearing(null);
        await queryClient.invalidateQueries({ queryKey: trpc.abuse.flags.queryKey() });
      },
    }),
  );

  const update = (next: Record<string, string | undefined>) => {
    const merged = new URLSearchParams(params);
    for (const [key, value] of Object.entries(next)) {
      if (value) merged.set(key, value);
      else merged.delete(key);
    }
    setParams(merged, { replace: true });
  };
  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    update({ ip: search.trim() || undefined, page: undefined });
  };
  const listError = flags.isError ? describeError(flags.error) : null;

  return (
    <div className="stack-lg">
      <PageHeader
        title="Flagged IPs"
        description="IPs refused at call start: flagged automatically, blocked by an operator, or blocked by a customer for their own account."
      />
      <div aria-live="polite">{notice ? <Alert tone="success">{notice}</Alert> : null}</div>
      <Card title="Flags" id="operator-flags">
        <div className="stack">
          <div className="operator-filters">
            <fieldset className="operator-status">
              <legend className="ui-label">Status</legend>
              {statuses.map(([value, label]) => (
                <label key={value} className="operator-status-option">
                  <input
                    type="radio"
                    name="flag-status"
                    value={value}
                    checked={status === value}
                    onChange={() =>
                      update({ status: value === "active" ? undefined : value, page: undefined })
                    }
                  />
                  <span>{label}</span>
                </label>
              ))}
            </fieldset>
            <form className="operator-search" onSubmit={submitSearch}>
              <TextField
                label="IP starts with"
                value={search}
                spellCheck={false}
                autoComplete="off"
                error={listError?.fieldErrors.ip}
                onChange={(event) => setSearch(event.target.value)}
              />
              <Button type="submit" variant="secondary">
                Search
              </Button>
            </form>
          </div>
          {flags.isPending ? (
            <Skeleton lines={6} label="Loading flags…" />
          ) : flags.isError ? (
            <ErrorState
              title="We could not load the flags"
              message={listError?.message}
              onRetry={() => flags.refetch()}
              retrying={flags.isFetching}
            />
          ) : flags.data.items.length === 0 ? (
            <EmptyState
              title={
                ip
                  ? `No ${status === "all" ? "" : `${status} `}flags for IPs starting ${ip}`
                  : `No ${status === "all" ? "" : `${status} `}flags`
              }
              headingLevel={3}
            >
              <p>
                IPs are flagged when they cross an abuse threshold at call start, or blocked by hand below.
              </p>
            </EmptyState>
          ) : (
            <>
              <TableScroll label="Flags">
                <table className="ui-table" aria-busy={flags.isPlaceholderData || undefined}>
                  <thead>
                    <tr>
                      <th scope="col">IP</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Source</th>
                      <th scope="col">Flagged</th>
                      <th scope="col">Expires</th>
                      <th scope="col">Status</th>
                      <th scope="col">
                        <span className="ui-visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {flags.data.items.map((flag) => (
                      <tr key={flag.id} data-flag-ip={flag.ip}>
                        <td className="operator-ip">
                          <Link
                            to={`/operator/events?ip=${encodeURIComponent(flag.ip)}`}
                            title="Security events of this IP"
                          >
                            {flag.ip}
                          </Link>
                        </td>
                        <td>{flag.reason}</td>
                        <td>{sourceLabel(flag)}</td>
                        <td className="nowrap">{formatDateTime(flag.createdAt)}</td>
                        <td className="nowrap">
                          {flag.expiresAt ? formatDateTime(flag.expiresAt) : "Until cleared"}
                        </td>
                        <td>
                          <Badge tone={statusTones[flag.status]}>{statusLabels[flag.status]}</Badge>
                          {flag.clearedAt ? (
                            <span className="operator-when">{formatDateTime(flag.clearedAt)}</span>
                          ) : null}
                        </td>
                        <td>
                          {flag.status === "cleared" ? null : (
                            <Button
                              variant="secondary"
                              size="sm"
                              aria-label={`Clear the flag on ${flag.ip}`}
                              onClick={() => {
                                clear.reset();
                                setNotice(null);
                                setClearing(flag);
                              }}
                            >
                              Clear
                            </Button>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableScroll>
              <Pager
                page={page}
                hasMore={page * flags.data.pageSize < flags.data.total}
                summary={`${flags.data.total} flag${flags.data.total === 1 ? "" : "s"}, page ${page} of ${Math.max(1, Math.ceil(flags.data.total / flags.data.pageSize))}`}
                onPage={(next) => update({ page: next === 1 ? undefined : String(next) })}
              />
            </>
          )}
        </div>
      </Card>
      <Card
        title="Block an IP"
        id="operator-add-block"
        description="Blocks the IP on every account's buttons."
      >
        <AddBlockForm
          onBlocked={async (blockedIp) => {
            setNotice(`${blockedIp} is blocked.`);
            await queryClient.invalidateQueries({ queryKey: trpc.abuse.flags.queryKey() });
          }}
        />
      </Card>
      <ConfirmDialog
        open={clearing !== null}
        title={clearing ? `Clear the flag on ${clearing.ip}?` : "Clear this flag?"}
        confirmLabel="Clear flag"
        pendingLabel="Clearing…"
        tone="primary"
        pending={clear.isPending}
        error={clear.isError ? describeError(clear.error).message : undefined}
        onConfirm={() => clearing && clear.mutate({ id: clearing.id })}
        onCancel={() => setClearing(null)}
      >
        <p>
          {clearing?.source === "customer"
            ? `${clearing.account?.companyName ?? "The customer"} blocked this IP for their own account. Clearing lifts their block.`
            : "The IP may start calls again. Calls made before the flag no longer count toward the thresholds."}
        </p>
      </ConfirmDialog>
    </div>
  );
}
