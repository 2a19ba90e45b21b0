import { Alert, Button, buttonClass, PasswordField } from "@cac/ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { FormAlert } from "../components/FormAlert";
import { useSessionStarted } from "../lib/session";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

const fields = ["password"] as const;

export function ResetPasswordPage() {
  usePageTitle("Choose a new password");
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ password: "" }, errors);
  const sessionStarted = useSessionStarted();
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onSuccess: async () => {
        await sessionStarted();
        navigate("/", {
          replace: true,
          state: {
            flash: "Your new password is set and you are logged in. Your other sessions were logged out.",
          },
        });
      },
      onError: errors.report,
    }),
  );

  const requestAnother = (
    <Link to="/forgot-password" className={buttonClass({ variant: "secondary", size: "sm" })}>
      Ask for a new link
    </Link>
  );

  if (!token) {
    return (
      <AuthCard title="Choose a new password">
        <Alert tone="error" title="This reset link is incomplete" actions={requestAnother}>
          Open the link from the email again, or ask for a new one.
        </Alert>
      </AuthCard>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    reset.mutate({ token, password: form.values.password });
  };

  return (
    <AuthCard
      title="Choose a new password"
      description="After this, you are logged in here and logged out everywhere else."
      footer={
        <p>
          <Link to="/login">Back to log in</Link>
        </p>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <FormAlert errors={errors}>
          {errors.error?.appCode === "INVALID_TOKEN" ? requestAnother : null}
        </FormAlert>
        <PasswordField
          label="New password"
          autoComplete="new-password"
          required
          hint="At least 10 characters. A short sentence works well."
          {...form.text("password")}
        />
        <Button type="submit" fullWidth pending={reset.isPending || reset.isSuccess} pendingLabel="Saving…">
          Set new password
        </Button>
      </form>
    </AuthCard>
  );
}
