import { Button } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { useSystemInfo, usesDevOutbox } from "../lib/system";
import { useTRPC } from "../trpc";
import { BannerError } from "./BannerError";

/** Sends a fresh confirmation link to the signed-in user (auth.resendVerification). */
export function useResendVerification() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.auth.resendVerification.mutationOptions({
      // Confirmed in another tab meanwhile: refresh so the notices go away.
      onSuccess: (data) => {
        if (!data.sent) void queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
      },
    }),
  );
}

type Resend = ReturnType<typeof useResendVerification>;

/** The "send the link again" action. */
export function ResendVerificationButton({ resend }: { resend: Resend }) {
  return (
    <Button
      variant="secondary"
      size="sm"
      onClick={() => resend.mutate()}
      pending={resend.isPending}
      pendingLabel="Sending…"
    >
      Resend confirmation email
    </Button>
  );
}

/** What the resend did (or why it failed), announced politely. */
export function ResendVerificationFeedback({ resend, email }: { resend: Resend; email: string }) {
  const info = useSystemInfo();
  const devOutbox = usesDevOutbox(info.data);
  return (
    <>
      <div aria-live="polite">
        {resend.isSuccess ? (
          <p className="banner-feedback">
            {resend.data.sent
              ? `We sent a new link to ${email}.`
              : "Your email address is already confirmed."}{" "}
            {devOutbox && resend.data.sent ? <Link to="/dev/outbox">Open the dev outbox</Link> : null}
          </p>
        ) : null}
      </div>
      <BannerError error={resend.error} />
    </>
  );
}
