import { Banner } from "@cac/ui";
import {
  ResendVerificationButton,
  ResendVerificationFeedback,
  useResendVerification,
} from "./ResendVerification";

/** Shown until the user confirms their email; it can send a fresh link. */
export function VerifyEmailBanner({ email }: { email: string }) {
  const resend = useResendVerification();
  return (
    <Banner tone="warning" label="Email confirmation" actions={<ResendVerificationButton resend={resend} />}>
      <p>
        <strong>Confirm your email address.</strong> We sent a link to {email}. Confirming proves the account
        is yours and lets us reach you about your calls and billing. Until then your buttons are in test mode:
        they work in the portal's preview, not on your website.
      </p>
      <ResendVerificationFeedback resend={resend} email={email} />
    </Banner>
  );
}
