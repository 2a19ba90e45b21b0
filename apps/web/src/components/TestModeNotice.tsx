import { Alert } from "@cac/ui";
import { useMe } from "./MeContext";
import {
  ResendVerificationButton,
  ResendVerificationFeedback,
  useResendVerification,
} from "./ResendVerification";

/**
 * Says why the account's buttons do not work on its website yet: nobody confirmed the owner's
 * email address, so they are in test mode (the portal's preview only). Nothing once confirmed.
 */
export function TestModeNotice() {
  const { user, account } = useMe();
  if (account.verified) return null;
  return <TestModeAlert email={user.email} canResend={!user.emailVerified} />;
}

function TestModeAlert({ email, canResend }: { email: string; canResend: boolean }) {
  const resend = useResendVerification();
  return (
    <Alert
      tone="warning"
      title="Your buttons are in test mode"
      actions={canResend ? <ResendVerificationButton resend={resend} /> : undefined}
    >
      <p>
        {canResend
          ? `They work in the preview here, but not on your website until you confirm your email address. Open the link we sent to ${email}.`
          : "They work in the preview here, but not on your website until the account owner confirms their email address."}
      </p>
      {canResend ? <ResendVerificationFeedback resend={resend} email={email} /> : null}
    </Alert>
  );
}
