import { Alert, Button, Card, ConfirmDialog, PasswordField, Skeleton } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useMe } from "../../components/MeContext";
import { formatDeletionDay } from "../../lib/closure";
import { describeError } from "../../lib/errors";
import { useFormErrors } from "../../lib/useFormErrors";
import { useFormFields } from "../../lib/useFormFields";
import { useTRPC } from "../../trpc";

const fields = ["password"] as const;

/** What closing deletes, and when; the same words as the closing email and the privacy policy. */
function WhatHappens() {
  return (
    <ul>
      <li>Your call buttons stop taking calls at once.</li>
      <li>
        After 30 days we delete the account and its personal data: your profile and team members, call buttons
        and their logos, call history (with visitors' IP addresses) and callback requests.
      </li>
      <li>Billing records (amounts, dates, subscription status) are kept for accounting.</li>
      <li>Until then you can reopen the account from this page, and everything is as you left it.</li>
    </ul>
  );
}

/** Owner only: close the account with the password, or reopen it before its deletion date. */
export function CloseAccountSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user, account } = useMe();
  const closure = useQuery(trpc.account.closure.queryOptions());
  const [open, setOpen] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ password: "" }, errors);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.account.closure.queryKey() }),
    ]);
  const close = useMutation(
    trpc.account.close.mutationOptions({
      onSuccess: async () => {
        setOpen(false);
        form.setValues({ password: "" });
        await refresh();
      },
      onError: errors.report,
    }),
  );
  const reopen = useMutation(trpc.account.reopen.mutationOptions({ onSuccess: refresh }));

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    errors.clear();
    close.mutate(form.values);
  };
  const cancel = () => {
    setOpen(false);
    errors.clear();
    close.reset();
    form.setValues({ password: "" });
  };
  // A wrong password shows on the field; anything else (a renewing plan, throttling) above the buttons.
  const generalError = errors.error && !errors.error.fieldErrors.password ? errors.error.message : null;

  if (account.status === "closed") {
    const deleteAfter = closure.data?.deleteAfter;
    return (
      <Card id="close-account" title="Reopen your account">
        <div className="stack">
          {closure.isPending ? (
            <Skeleton lines={2} label="Loading the deletion date…" />
          ) : (
            <p>
              Your account is closed
              {deleteAfter ? (
                <>
                  {" "}
                  and will be deleted on{" "}
                  <strong>
                    <time dateTime={deleteAfter.toISOString()}>
                      {formatDeletionDay(deleteAfter, account.timezone)}
                    </time>
                  </strong>
                </>
              ) : null}
              . Reopen it before then to keep your buttons, calls and settings.
            </p>
          )}
          {reopen.isError ? <Alert tone="error">{describeError(reopen.error).message}</Alert> : null}
          <div className="form-actions">
            <Button onClick={() => reopen.mutate()} pending={reopen.isPending} pendingLabel="Reopening…">
              Reopen account
            </Button>
          </div>
        </div>
      </Card>
    );
  }

  return (
    <Card
      id="close-account"
      title="Close account"
      description="Stop using Click & Call and have your data deleted."
    >
      <div className="stack">
        <WhatHappens />
        {reopen.isSuccess ? <Alert tone="success">Your account is open again.</Alert> : null}
        <div className="form-actions">
          <Button variant="danger" onClick={() => setOpen(true)}>
            Close account…
          </Button>
        </div>
      </div>
      <ConfirmDialog
        open={open}
        title="Close your account?"
        confirmLabel="Close account"
        pendingLabel="Closing…"
        pending={close.isPending}
        error={generalError}
        onConfirm={() => submit()}
        onCancel={cancel}
      >
        <div className="stack">
          <WhatHappens />
          <form ref={formRef} onSubmit={submit} noValidate className="form">
            {/* Lets password managers offer the right account's password. */}
            <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />
            <PasswordField
              label="Your password"
              hint="Enter your password to confirm it is you."
              autoComplete="current-password"
              required
              {...form.text("password")}
            />
            {/* Lets Enter in the field submit (the dialog's own buttons are outside this form). */}
            <button type="submit" className="ui-visually-hidden" tabIndex={-1} aria-hidden="true">
              Close account
            </button>
          </form>
        </div>
      </ConfirmDialog>
    </Card>
  );
}
