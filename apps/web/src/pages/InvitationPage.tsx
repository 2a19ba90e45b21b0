import { Alert, Button, Checkbox, ErrorState, LoadingBlock, PasswordField, TextField } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { FormAlert } from "../components/FormAlert";
import { describeError } from "../lib/errors";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";
import { roleLabels } from "./team/roles";

const fields = ["name", "password", "ageConfirmed"] as const;

/** The token travels in the link's fragment (#token=…), which no server or Referer sees. */
function tokenOf(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, "")).get("token") ?? "";
}

/**
 * The emailed invitation: join the account with a new login (name, password, 18+), or, when the
 * address already has one, while logged in with it.
 */
export function InvitationPage() {
  usePageTitle("Join your team");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const [token] = useState(() => tokenOf(location.hash));
  const preview = useQuery({
    ...trpc.team.invitation.queryOptions({ token }),
    retry: false,
    enabled: token !== "",
  });
  const me = useQuery(trpc.account.me.queryOptions());
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ name: "", password: "", ageConfirmed: false }, errors);
  const joined = async () => {
    await queryClient.resetQueries();
    navigate("/team", { replace: true });
  };
  const acceptNew = useMutation(
    trpc.team.acceptWithNewLogin.mutationOptions({ onSuccess: joined, onError: errors.report }),
  );
  const accept = useMutation(trpc.team.acceptInvitation.mutationOptions({ onSuccess: joined }));
  const acceptWithPassword = useMutation(
    trpc.team.acceptWithPassword.mutationOptions({ onSuccess: joined, onError: errors.report }),
  );

  if (!token) {
    return (
      <AuthCard title="Join your team">
        <Alert tone="error">This invitation link is incomplete. Open the link from the email again.</Alert>
      </AuthCard>
    );
  }
  if (preview.isPending || me.isPending) {
    return (
      <AuthCard title="Join your team">
        <LoadingBlock label="Opening your invitation…" />
      </AuthCard>
    );
  }
  if (preview.isError) {
    return (
      <AuthCard title="Join your team">
        <ErrorState title="This invitation cannot be used" message={describeError(preview.error).message} />
      </AuthCard>
    );
  }
  const invitation = preview.data;
  const title = `Join ${invitation.companyName}`;
  const description = `You are invited as ${roleLabels[invitation.role].toLowerCase()}, with ${invitation.email}.`;

  if (invitation.hasLogin) {
    const signedInAs = me.data?.user.email.toLowerCase();
    return (
      <AuthCard title={title} description={description}>
        <div className="stack">
          {accept.isError ? <Alert tone="error">{describeError(accept.error).message}</Alert> : null}
          {signedInAs === invitation.email ? (
            <Button
              fullWidth
              pending={accept.isPending}
              pendingLabel="Joining…"
              onClick={() => accept.mutate({ token })}
            >
              Accept and join
            </Button>
          ) : signedInAs ? (
            <p>
              You are logged in as {signedInAs}. Log out, then open this link again to accept as{" "}
              {invitation.email}.
            </p>
          ) : (
            <form
              ref={formRef}
              noValidate
              className="form"
              onSubmit={(event: FormEvent) => {
                event.preventDefault();
                errors.clear();
                acceptWithPassword.mutate({ token, password: form.values.password });
              }}
            >
              <p>{invitation.email} already has a login: enter its password to accept.</p>
              <FormAlert errors={errors} />
              <input
                type="text"
                name="username"
                autoComplete="username"
                value={invitation.email}
                readOnly
                hidden
              />
              <PasswordField
                label="Password"
                autoComplete="current-password"
                required
                {...form.text("password")}
              />
              <Button type="submit" fullWidth pending={acceptWithPassword.isPending} pendingLabel="Joining…">
                Accept and join
              </Button>
              <p className="ui-hint">
                <Link to="/forgot-password">Forgot your password?</Link>
              </p>
            </form>
          )}
        </div>
      </AuthCard>
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    acceptNew.mutate({
      token,
      name: form.values.name,
      password: form.values.password,
      ageConfirmed: form.values.ageConfirmed as true,
    });
  };
  return (
    <AuthCard title={title} description={description}>
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <FormAlert errors={errors} />
        <input type="text" name="username" autoComplete="username" value={invitation.email} readOnly hidden />
        <TextField label="Your name" autoComplete="name" required {...form.text("name")} />
        <PasswordField
          label="Choose a password"
          autoComplete="new-password"
          required
          hint="At least 10 characters."
          {...form.text("password")}
        />
        <Checkbox label="I confirm that I am 18 or older" required {...form.checkbox("ageConfirmed")} />
        <Button type="submit" fullWidth pending={acceptNew.isPending} pendingLabel="Joining…">
          Create login and join
        </Button>
      </form>
    </AuthCard>
  );
}
