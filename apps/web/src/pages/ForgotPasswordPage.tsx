import { Alert, Button, buttonClass, TextField } from "@cac/ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { Link } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { FormAlert } from "../components/FormAlert";
import { useSystemInfo, usesDevOutbox } from "../lib/system";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

const fields = ["email"] as const;

export function ForgotPasswordPage() {
  usePageTitle("Reset your password");
  const trpc = useTRPC();
  const info = useSystemInfo();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ email: "" }, errors);
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions({ onError: errors.report }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    request.mutate(form.values);
  };

  return (
    <AuthCard
      title="Reset your password"
      description="Enter the email you log in with and we will send you a link to choose a new password."
      footer={
        <p>
          Remembered it? <Link to="/login">Log in</Link>
        </p>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        {request.isSuccess ? (
          <Alert
            tone="success"
            title="Check your inbox"
            actions={
              usesDevOutbox(info.data) ? (
                <Link to="/dev/outbox" className={buttonClass({ variant: "secondary", size: "sm" })}>
                  Open the dev outbox
                </Link>
              ) : null
            }
          >
            {request.data.message} The link works once, for one hour.
          </Alert>
        ) : null}
        <FormAlert errors={errors} />
        <TextField
          label="Email"
          type="email"
          autoComplete="username"
          inputMode="email"
          required
          {...form.text("email")}
        />
        <Button type="submit" fullWidth pending={request.isPending} pendingLabel="Sending…">
          {request.isSuccess ? "Send another link" : "Send reset link"}
        </Button>
      </form>
    </AuthCard>
  );
}
