import { Banner, Button, buttonClass } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { formatPolicyDate } from "../lib/format-policy";
import { useTRPC } from "../trpc";
import { BannerError } from "./BannerError";

/**
 * Across the portal when the privacy policy changed, until this person dismisses it (per user,
 * so it stays gone on every device). Says nothing while loading or if the notice cannot load.
 */
export function PolicyNoticeBanner() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery({ ...trpc.policy.current.queryOptions(), staleTime: 5 * 60_000 });
  const dismiss = useMutation(
    trpc.policy.dismiss.mutationOptions({
      onSuccess: () => queryClient.setQueryData(trpc.policy.current.queryKey(), null),
    }),
  );
  const notice = current.data;
  if (!notice) return null;

  return (
    <Banner
      tone="info"
      label="Privacy policy update"
      actions={
        <>
          <a href="/privacy" className={buttonClass({ variant: "secondary", size: "sm" })}>
            Read it
          </a>
          <Button
            variant="secondary"
            size="sm"
            onClick={() => dismiss.mutate({ noticeId: notice.id })}
            pending={dismiss.isPending}
            pendingLabel="Dismissing…"
          >
            Dismiss
          </Button>
        </>
      }
    >
      <p>
        <strong>We've updated our privacy policy</strong> (effective {formatPolicyDate(notice.effectiveAt)}):{" "}
        {notice.summary}
      </p>
      <BannerError error={dismiss.error} />
    </Banner>
  );
}
