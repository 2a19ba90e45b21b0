import { Alert, Button, buttonClass, Checkbox, PasswordField, TextField } from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, Navigate } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { FormAlert } from "../components/FormAlert";
import { useCaptcha } from "../components/TurnstileField";
import { useSystemInfo, usesDevOutbox } from "../lib/system";
import { browserTimeZone } from "../lib/timezone";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

const fields = ["name", "email", "companyName", "websiteUrl", "phone", "password", "ageConfirmed"] as const;

export function SignupPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields(
    { name: "", email: "", companyName: "", websiteUrl: "", phone: "", password: "", ageConfirmed: false },
    errors,
  );
  // The server gives the same answer whether or not the email is new (no account enumeration),
  // so the next screen only needs the address it was sent to.
  const [sentTo, setSentTo] = useState<string | null>(null);
  const captcha = useCaptcha("signup");
  const signup = useMutation(
    trpc.auth.signup.mutationOptions({
      onSuccess: (_data, input) => setSentTo(input.email),
      onError: (error) => {
        captcha.spent();
        errors.report(error);
      },
    }),
  );
  usePageTitle(sentTo ? "Check your inbox" : "Create your account");

  if (me.data) return <Navigate to="/" replace />;
  if (sentTo) {
    return (
      <CheckInbox
        email={sentTo}
        onChangeEmail={() => {
          signup.reset();
          setSentTo(null);
        }}
      />
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    if (!captcha.ready()) return;
    const { ageConfirmed, ...rest } = form.values;
    // The server answers an unchecked box with its own field message, so send it as it is.
    // The account's timezone starts as the browser's; Account → Timezone changes it.
    signup.mutate({
      ...rest,
      ageConfirmed: ageConfirmed as true,
      timezone: browserTimeZone(),
      captchaToken: captcha.token,
    });
  };

  return (
    <AuthCard
      title="Create your account"
      description="Put a call button on your website in minutes. Visitors call you from the browser, with no phone and no app."
      footer={
        <p>
          Already have an account? <Link to="/login">Log in</Link>
        </p>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <FormAlert errors={errors} />
        <TextField label="Your name" autoComplete="name" required {...form.text("name")} />
        <TextField
          label="Work email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          hint="We send a link to confirm it."
          {...form.text("email")}
        />
        <TextField label="Company name" autoComplete="organization" required {...form.text("companyName")} />
        <TextField
          label="Website"
          autoComplete="url"
          inputMode="url"
          placeholder="acme.com"
          required
          hint="Where your call button will go."
          {...form.text("websiteUrl")}
        />
        <TextField
          label="Phone number (US)"
          type="tel"
          autoComplete="tel-national"
          placeholder="(202) 555-0123"
          required
          hint="Calls can ring this number. US numbers only."
          {...form.text("phone")}
        />
        <PasswordField
          label="Password"
          autoComplete="new-password"
          required
          hint="At least 10 characters. A short sentence works well."
          {...form.text("password")}
        />
        <Checkbox label="I confirm that I am 18 or older" required {...form.checkbox("ageConfirmed")} />
        {captcha.field}
        <Button type="submit" fullWidth pending={signup.isPending} pendingLabel="Creating your account…">
          Create account
        </Button>
        <p className="ui-hint">
          Our <a href="/privacy">privacy policy</a> says what we keep about you and your calls, and why.
        </p>
      </form>
    </AuthCard>
  );
}

function CheckInbox({ email, onChangeEmail }: { email: string; onChangeEmail: () => void }) {
  const info = useSystemInfo();
  // Same path, new screen: move focus to its heading as a navigation would.
  useEffect(() => {
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, []);
  return (
    <AuthCard
      title="Check your inbox"
      footer={
        <p>
          Wrong address?{" "}
          <Button variant="link" onClick={onChangeEmail}>
            Change the details
          </Button>
        </p>
      }
    >
      <div className="stack">
        <p>
          We sent a message to <strong className="break">{email}</strong>. Open the link in it to confirm your
          email address and go to your dashboard. The link works for 24 hours.
        </p>
        {usesDevOutbox(info.data) ? (
          <Alert
            tone="info"
            title="Email stays on this machine"
            actions={
              <Link to="/dev/outbox" className={buttonClass({ variant: "primary", size: "sm" })}>
                Open the dev outbox
              </Link>
            }
          >
            This server runs with the dev outbox instead of a mail service, so the message is waiting there.
          </Alert>
        ) : null}
        <p className="muted">
          Nothing after a few minutes? Check your spam folder. You can also <Link to="/login">log in</Link>{" "}
          and send a new link from the portal.
        </p>
      </div>
    </AuthCard>
  );
}
