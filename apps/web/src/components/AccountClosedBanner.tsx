import { Banner, Button } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { formatDeletionDay } from "../lib/closure";
import { useTRPC } from "../trpc";
import { BannerError } from "./BannerError";
import { useMe } from "./MeContext";

/**
 * Across the portal while the account is closed: when it will be deleted, and (for the owner) a
 * Reopen button. Renders nothing for an active account, so it costs no request then.
 */
export function AccountClosedBanner() {
  const { account } = useMe();
  if (account.status !== "closed") return null;
  return <ClosedNotice />;
}

function ClosedNotice() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user, account } = useMe();
  const closure = useQuery(trpc.account.closure.queryOptions());
  const reopen = useMutation(
    trpc.account.reopen.mutationOptions({
      onSuccess: () =>
        Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.account.closure.queryKey() }),
        ]),
    }),
  );
  const deleteAfter = closure.data?.deleteAfter;
  const isOwner = user.role === "owner";

  return (
    <Banner
      tone="warning"
      label="Account closed"
      actions={
        isOwner ? (
          <Button
            variant="secondary"
            size="sm"
            onClick={() => reopen.mutate()}
            pending={reopen.isPending}
            pendingLabel="Reopening…"
          >
            Reopen account
          </Button>
        ) : null
      }
    >
      <p>
        <strong>
          Your account is closed
          {deleteAfter ? (
            <>
              {" "}
              and will be deleted on{" "}
              <time dateTime={deleteAfter.toISOString()}>
                {formatDeletionDay(deleteAfter, account.timezone)}
              </time>
            </>
          ) : null}
          .
        </strong>{" "}
        Your call buttons take no calls.{" "}
        {isOwner
          ? "Reopen it before then to keep everything as it is."
          : "Ask the account owner to reopen it before then."}
      </p>
      <BannerError error={reopen.error} />
    </Banner>
  );
}
