import { Alert, Button, PasswordField, TextField } from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef } from "react";
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { FormAlert } from "../components/FormAlert";
import { useCaptcha } from "../components/TurnstileField";
import { describeError } from "../lib/errors";
import { isServerPage, safeNextPath } from "../lib/navigation";
import { useSessionStarted } from "../lib/session";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

const fields = ["email", "password"] as const;

export function LoginPage() {
  usePageTitle("Log in");
  const trpc = useTRPC();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNextPath(params.get("next"));
  const loggedOut = (location.state as { loggedOut?: boolean } | null)?.loggedOut === true;
  const me = useQuery(trpc.account.me.queryOptions());
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ email: "", password: "" }, errors);
  const sessionStarted = useSessionStarted();
  // Asked for by the server only after many attempts on the account (never a lockout).
  const captcha = useCaptcha("login", { whenAsked: true });
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async () => {
        await sessionStarted();
        if (isServerPage(next)) window.location.replace(next);
        else navigate(next, { replace: true });
      },
      onError: (error) => {
        captcha.spent();
        if (describeError(error).appCode === "CAPTCHA_FAILED") captcha.ask();
        errors.report(error);
      },
    }),
  );

  const signedIn = Boolean(me.data) && !login.isPending && !login.isSuccess;
  // A page the server serves (a button's test page) needs a full load, not a client route.
  useEffect(() => {
    if (signedIn && isServerPage(next)) window.location.replace(next);
  }, [signedIn, next]);
  if (signedIn) return isServerPage(next) ? null : <Navigate to={next} replace />;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    if (!captcha.ready()) return;
    login.mutate({ ...form.values, captchaToken: captcha.token });
  };

  return (
    <AuthCard
      title="Log in"
      description="Welcome back to Click & Call."
      footer={
        <p>
          New to Click &amp; Call? <Link to="/signup">Create an account</Link>
          <br />
          Questions? <Link to="/contact">Contact us</Link>
        </p>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        {loggedOut && !errors.error ? <Alert tone="success">You are logged out.</Alert> : null}
        {params.has("next") && !loggedOut && !errors.error ? (
          <Alert tone="info">Log in to continue to that page.</Alert>
        ) : null}
        <FormAlert errors={errors}>
          {errors.error?.appCode === "UNAUTHENTICATED" ? (
            <Link to="/forgot-password">Reset your password</Link>
          ) : null}
        </FormAlert>
        <TextField
          label="Email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          {...form.text("email")}
        />
        <PasswordField label="Password" autoComplete="current-password" required {...form.text("password")} />
        <p className="form-aside">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
        {captcha.field}
        <Button
          type="submit"
          fullWidth
          pending={login.isPending || login.isSuccess}
          pendingLabel="Logging in…"
        >
          Log in
        </Button>
      </form>
    </AuthCard>
  );
}
