import { Alert, buttonClass, Spinner } from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { describeError } from "../lib/errors";
import { useSessionStarted } from "../lib/session";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

/** The page the confirmation email links to: confirms, logs in, and goes to the dashboard. */
export function VerifyEmailPage() {
  usePageTitle("Confirm your email");
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const me = useQuery(trpc.account.me.queryOptions());
  const sessionStarted = useSessionStarted();
  const verify = useMutation(
    trpc.auth.verifyEmail.mutationOptions({
      onSuccess: async () => {
        await sessionStarted();
        navigate("/", {
          replace: true,
          state: { flash: "Your email address is confirmed. Welcome to Click & Call!" },
        });
      },
    }),
  );

  // The link works once: guard against effects running twice (React's strict mode in dev).
  const started = useRef(false);
  const { mutate } = verify;
  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    mutate({ token });
  }, [token, mutate]);

  if (token && !verify.isError) {
    return (
      <AuthCard title="Confirming your email">
        <div className="center-block">
          <Spinner
            size="lg"
            showLabel
            label={verify.isSuccess ? "Confirmed. Opening your dashboard…" : "Confirming your email address…"}
          />
        </div>
      </AuthCard>
    );
  }

  const loggedIn = Boolean(me.data);
  const alreadyVerified = me.data?.user.emailVerified === true;
  const message = token
    ? describeError(verify.error).message
    : "This confirmation link is incomplete. Open the link from the email again.";

  if (alreadyVerified) {
    return (
      <AuthCard title="Your email is confirmed">
        <Alert
          tone="success"
          actions={
            <Link to="/" className={buttonClass({ size: "sm" })}>
              Go to your dashboard
            </Link>
          }
        >
          Your email address {me.data?.user.email} is already confirmed. There is nothing more to do.
        </Alert>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="We could not confirm your email">
      <div className="stack">
        <Alert tone="error">{message}</Alert>
        <p>
          {loggedIn
            ? "Use “Resend confirmation email” at the top of your dashboard to get a new link."
            : "Log in and the portal will offer to send you a new link."}
        </p>
        <div className="actions">
          {loggedIn ? (
            <Link to="/" className={buttonClass()}>
              Go to your dashboard
            </Link>
          ) : (
            <>
              <Link to="/login" className={buttonClass()}>
                Log in
              </Link>
              <Link to="/signup" className={buttonClass({ variant: "secondary" })}>
                Create an account
              </Link>
            </>
          )}
        </div>
      </div>
    </AuthCard>
  );
}
