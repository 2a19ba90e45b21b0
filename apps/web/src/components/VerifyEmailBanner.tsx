import { Banner, Button } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { useSystemInfo, usesDevOutbox } from "../lib/system";
import { useTRPC } from "../trpc";
import { BannerError } from "./BannerError";

/** Shown until the user confirms their email; it can send a fresh link. */
export function VerifyEmailBanner({ email }: { email: string }) {
  const trpc = useTRPC();
  const info = useSystemInfo();
  const queryClient = useQueryClient();
  const resend = useMutation(
    trpc.auth.resendVerification.mutationOptions({
      // Confirmed in another tab meanwhile: refresh so the banner goes away.
      onSuccess: (data) => {
        if (!data.sent) void queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
      },
    }),
  );
  const devOutbox = usesDevOutbox(info.data);

  return (
    <Banner
      tone="warning"
      label="Email confirmation"
      actions={
        <Button
          variant="secondary"
          size="sm"
          onClick={() => resend.mutate()}
          pending={resend.isPending}
          pendingLabel="Sending…"
        >
          Resend confirmation email
        </Button>
      }
    >
      <p>
        <strong>Confirm your email address.</strong> We sent a link to {email}. Confirming proves the account
        is yours and lets us reach you about your calls and billing.
      </p>
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
    </Banner>
  );
}
