import {
  Alert,
  Badge,
  Button,
  Card,
  ErrorState,
  PageHeader,
  PasswordField,
  Skeleton,
  TextField,
} from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { FormAlert } from "../components/FormAlert";
import { useLeave, useMe } from "../components/MeContext";
import { describeError } from "../lib/errors";
import { describeUserAgent, displayUrl, formatDateTime, formatRelative, formatUsPhone } from "../lib/format";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { type RouterOutputs, useTRPC } from "../trpc";
import { CloseAccountSection } from "./account/CloseAccountSection";
import { DataExportSection } from "./account/DataExportSection";

export function AccountPage() {
  usePageTitle("Account");
  return (
    <div className="stack-lg">
      <PageHeader title="Account" description="Your profile, your password, and where you are logged in." />
      <ProfileSection />
      <PasswordSection />
      <SessionsSection />
      <OwnerSections />
    </div>
  );
}

/** Downloading the account's data and closing it are for the owner. */
function OwnerSections() {
  const { user } = useMe();
  if (user.role !== "owner") return null;
  return (
    <>
      <DataExportSection />
      <CloseAccountSection />
    </>
  );
}

const profileFields = ["name", "companyName", "websiteUrl", "phone"] as const;

function ProfileSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user, account } = useMe();
  const isOwner = user.role === "owner";
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, profileFields);
  const form = useFormFields(
    () => ({
      name: user.name,
      companyName: account.companyName,
      websiteUrl: displayUrl(account.websiteUrl),
      phone: formatUsPhone(account.phone),
    }),
    errors,
  );
  const save = useMutation(
    trpc.account.updateProfile.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() }),
      onError: errors.report,
    }),
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const { name, ...company } = form.values;
    // Only the owner may change the company details; others send their own name alone.
    save.mutate(isOwner ? { name, ...company } : { name });
  };
  const readOnlyHint = isOwner ? undefined : "Only the account owner can change this.";

  return (
    <Card
      id="profile"
      title="Profile"
      description={
        <>
          You log in with <strong className="break">{user.email}</strong>.
        </>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form form--wide">
        {save.isSuccess && !errors.error ? <Alert tone="success">Profile saved.</Alert> : null}
        <FormAlert errors={errors} />
        <div className="form-grid">
          <TextField label="Your name" autoComplete="name" required {...form.text("name")} />
          <TextField
            label="Company name"
            autoComplete="organization"
            required
            readOnly={!isOwner}
            hint={readOnlyHint}
            {...form.text("companyName")}
          />
          <TextField
            label="Website"
            autoComplete="url"
            inputMode="url"
            required
            readOnly={!isOwner}
            hint={readOnlyHint}
            {...form.text("websiteUrl")}
          />
          <TextField
            label="Phone number (US)"
            type="tel"
            autoComplete="tel-national"
            required
            readOnly={!isOwner}
            hint={readOnlyHint}
            {...form.text("phone")}
          />
        </div>
        <div className="form-actions">
          <Button type="submit" pending={save.isPending}>
            Save profile
          </Button>
        </div>
      </form>
    </Card>
  );
}

const passwordFields = ["currentPassword", "newPassword"] as const;

function PasswordSection() {
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

type Session = RouterOutputs["account"]["sessions"][number];

function SessionsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const leave = useLeave();
  const sessions = useQuery(trpc.account.sessions.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.sessions.queryKey() });
  const revoke = useMutation(
    trpc.account.revokeSession.mutationOptions({
      onSuccess: (result) => {
        if (result.current) {
          leave();
          return;
        }
        return refresh();
      },
    }),
  );
  const revokeOthers = useMutation(trpc.account.revokeOtherSessions.mutationOptions({ onSuccess: refresh }));
  const others = sessions.data?.filter((session) => !session.current).length ?? 0;
  const actionError = revoke.error ?? revokeOthers.error;

  return (
    <Card
      id="sessions"
      title="Sessions"
      description="Devices where you are logged in. Log out any you do not recognise."
      actions={
        <Button
          variant="danger"
          size="sm"
          disabled={others === 0}
          onClick={() => {
            revoke.reset();
            revokeOthers.mutate();
          }}
          pending={revokeOthers.isPending}
          pendingLabel="Logging out…"
        >
          Log out other sessions
        </Button>
      }
    >
      <div className="stack">
        <div aria-live="polite">
          {revokeOthers.isSuccess ? <Alert tone="success">Your other sessions were logged out.</Alert> : null}
          {revoke.isSuccess && !revoke.data.current ? (
            <Alert tone="success">That session was logged out.</Alert>
          ) : null}
        </div>
        {actionError ? <Alert tone="error">{describeError(actionError).message}</Alert> : null}
        {sessions.isPending ? (
          <Skeleton lines={4} label="Loading sessions…" />
        ) : sessions.isError ? (
          <ErrorState
            title="We could not load your sessions"
            message={describeError(sessions.error).message}
            onRetry={() => sessions.refetch()}
            retrying={sessions.isFetching}
          />
        ) : (
          <ul className="session-list">
            {sessions.data.map((session) => (
              <SessionRow
                key={session.id}
                session={session}
                pending={revoke.isPending && revoke.variables?.sessionId === session.id}
                disabled={revoke.isPending || revokeOthers.isPending}
                onRevoke={() => {
                  revokeOthers.reset();
                  revoke.mutate({ sessionId: session.id });
                }}
              />
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}

function SessionRow({
  session,
  pending,
  disabled,
  onRevoke,
}: {
  session: Session;
  pending: boolean;
  disabled: boolean;
  onRevoke: () => void;
}) {
  const device = describeUserAgent(session.userAgent);
  return (
    <li className="session" aria-current={session.current ? "true" : undefined}>
      <div className="session-main">
        <p className="session-device">
          <span>{device}</span> {session.current ? <Badge tone="info">This device</Badge> : null}
        </p>
        {session.userAgent ? <p className="session-ua">{session.userAgent}</p> : null}
        <dl className="session-facts">
          <div>
            <dt>IP address</dt>
            <dd>{session.ip ?? "Unknown"}</dd>
          </div>
          <div>
            <dt>Logged in</dt>
            <dd>
              <time dateTime={session.createdAt.toISOString()}>{formatDateTime(session.createdAt)}</time>
            </dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>
              <time dateTime={session.lastUsedAt.toISOString()} title={formatDateTime(session.lastUsedAt)}>
                {formatRelative(session.lastUsedAt)}
              </time>
            </dd>
          </div>
        </dl>
      </div>
      <Button
        variant="secondary"
        size="sm"
        onClick={onRevoke}
        disabled={disabled}
        pending={pending}
        pendingLabel="Logging out…"
        aria-label={
          session.current
            ? "Log out this device"
            : `Log out ${device}, last used ${formatRelative(session.lastUsedAt)}`
        }
      >
        Log out
      </Button>
    </li>
  );
}
