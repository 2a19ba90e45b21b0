import "./ip-blocks.css";
import { Alert, Badge, Button, ConfirmDialog, TextField } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useState } from "react";
import { managesAccount, useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";

// The owner's "Block IP" from the call log: one confirmation dialog for the page, the set of
// blocked IPs for the rows, and unblocking. Agents (not owners) see IPs only.

type Target = { callId: string; ip: string };

type IpBlocksValue = {
  blocked: ReadonlySet<string>;
  requestBlock(target: Target): void;
  unblock(ip: string): void;
  unblocking: string | null;
  notice: { tone: "success" | "error"; text: string } | null;
};

const IpBlocksContext = createContext<IpBlocksValue | null>(null);

export function useIpBlocks(): IpBlocksValue | null {
  return useContext(IpBlocksContext);
}

/** Provides blocking to the call log's rows when the user is the account owner. */
export function IpBlocksProvider({ children }: { children: ReactNode }) {
  const { user } = useMe();
  if (!managesAccount(user.role)) return <>{children}</>;
  return <OwnerIpBlocks>{children}</OwnerIpBlocks>;
}

function OwnerIpBlocks({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const blocks = useQuery(trpc.abuse.listBlocks.queryOptions());
  const [target, setTarget] = useState<Target | null>(null);
  const [reason, setReason] = useState("");
  const [notice, setNotice] = useState<IpBlocksValue["notice"]>(null);
  const listKey = trpc.abuse.listBlocks.queryKey();

  const block = useMutation(
    trpc.abuse.blockIp.mutationOptions({
      onSuccess: async (result) => {
        setTarget(null);
        setNotice({
          tone: "success",
          text: `${result.ip} is blocked. Calls from it to your buttons are refused.`,
        });
        await queryClient.invalidateQueries({ queryKey: listKey });
      },
    }),
  );
  const unblock = useMutation(
    trpc.abuse.unblockIp.mutationOptions({
      onSuccess: async (_result, { ip }) => {
        setNotice({ tone: "success", text: `${ip} is unblocked. It can call your buttons again.` });
        await queryClient.invalidateQueries({ queryKey: listKey });
      },
      onError: (error) => setNotice({ tone: "error", text: describeError(error).message }),
    }),
  );

  const value: IpBlocksValue = {
    blocked: new Set(blocks.data?.map((b) => b.ip.toLowerCase()) ?? []),
    requestBlock(next) {
      block.reset();
      setReason("");
      setTarget(next);
    },
    unblock(ip) {
      setNotice(null);
      unblock.mutate({ ip });
    },
    unblocking: unblock.isPending ? (unblock.variables?.ip ?? null) : null,
    notice,
  };

  const error = block.isError ? describeError(block.error) : null;
  return (
    <IpBlocksContext.Provider value={value}>
      {children}
      <ConfirmDialog
        open={target !== null}
        title={target ? `Block calls from ${target.ip}?` : "Block this IP?"}
        confirmLabel="Block IP"
        pendingLabel="Blocking…"
        pending={block.isPending}
        error={error && !error.fieldErrors.reason ? error.message : undefined}
        onConfirm={() =>
          target && block.mutate({ callId: target.callId, reason: reason.trim() || undefined })
        }
        onCancel={() => setTarget(null)}
      >
        <p>
          Visitors from this IP address can no longer call your buttons (for an IPv6 address, its whole /64
          network, which belongs to one subscriber). Other businesses are not affected. You can unblock it at
          any time under Blocked IPs.
        </p>
        <TextField
          label="Reason"
          hint="For your own records, e.g. “Prank calls”."
          maxLength={500}
          value={reason}
          error={error?.fieldErrors.reason}
          onChange={(event) => setReason(event.target.value)}
        />
      </ConfirmDialog>
    </IpBlocksContext.Provider>
  );
}

/** A row's visitor IP, with Block IP (or Blocked and Unblock) for the owner. */
export function VisitorIpCell({ callId, ip }: { callId: string; ip: string | null }) {
  const blocks = useIpBlocks();
  if (!ip) {
    return (
      <span className="muted" title="Visitor IPs are kept for 12 months">
        Removed
      </span>
    );
  }
  if (!blocks) return <>{ip}</>;
  const isBlocked = blocks.blocked.has(ip.toLowerCase());
  return (
    <span className="calls-ip">
      <span>{ip}</span>
      {isBlocked ? (
        <>
          <Badge tone="error">Blocked</Badge>
          <Button
            variant="secondary"
            size="sm"
            aria-label={`Unblock ${ip}`}
            pending={blocks.unblocking === ip}
            pendingLabel="Unblocking…"
            onClick={() => blocks.unblock(ip)}
          >
            Unblock
          </Button>
        </>
      ) : (
        <Button
          variant="secondary"
          size="sm"
          aria-label={`Block IP ${ip}`}
          onClick={() => blocks.requestBlock({ callId, ip })}
        >
          Block IP
        </Button>
      )}
    </span>
  );
}

/** The outcome of the last block or unblock, announced politely. */
export function IpBlockNotice() {
  const blocks = useIpBlocks();
  return (
    <div aria-live="polite">
      {blocks?.notice ? <Alert tone={blocks.notice.tone}>{blocks.notice.text}</Alert> : null}
    </div>
  );
}
