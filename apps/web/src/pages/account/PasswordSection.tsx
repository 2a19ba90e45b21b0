import { Alert, Button, Card, PasswordField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { FormAlert } from "../../components/FormAlert";
import { useMe } from "../../components/MeContext";
import { useFormErrors } from "../../lib/useFormErrors";
import { useFormFields } from "../../lib/useFormFields";
import { useTRPC } from "../../trpc";

const passwordFields = ["currentPassword", "newPassword"] as const;

/** Changing the password logs out every other session. */
export function PasswordSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user } = useMe();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, passwordFields);
  const form = useFormFields({ currentPassword: "", newPassword: "" }, errors);
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        form.setValues({ currentPassword: "", newPassword: "" });
        return queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
      },
      onError: errors.report,
    }),
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    change.reset();
    change.mutate(form.values);
  };

  return (
    <Card
      id="password"
      title="Password"
      description="Changing your password logs you out on every other device."
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form form--narrow">
        {change.isSuccess ? (
          <Alert tone="success" title="Password changed">
            Your other sessions were logged out. This device stays logged in.
          </Alert>
        ) : null}
        <FormAlert errors={errors} />
        {/* Lets password managers file the new password under the right account. */}
        <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />
        <PasswordField
          label="Current password"
          autoComplete="current-password"
          required
          {...form.text("currentPassword")}
        />
        <PasswordField
          label="New password"
          autoComplete="new-password"
          required
          hint="At least 10 characters."
          {...form.text("newPassword")}
        />
        <div className="form-actions">
          <Button type="submit" pending={change.isPending}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}
