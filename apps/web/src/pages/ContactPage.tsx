import { Button, FieldError, TextField } from "@cac/ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router";
import { AuthCard } from "../components/AuthCard";
import { FormAlert } from "../components/FormAlert";
import { useCaptcha } from "../components/TurnstileField";
import { useFormErrors } from "../lib/useFormErrors";
import { useFormFields } from "../lib/useFormFields";
import { usePageTitle } from "../lib/usePageTitle";
import { useTRPC } from "../trpc";

const fields = ["name", "email", "company", "website", "message"] as const;
const MESSAGE_MAX = 5000;

/** The public contact form: anyone can write to the Click & Call team. */
export function ContactPage() {
  const trpc = useTRPC();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ name: "", email: "", company: "", website: "", message: "" }, errors);
  const captcha = useCaptcha("contact");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const send = useMutation(
    trpc.contact.send.mutationOptions({
      onSuccess: (data) => {
        form.setValues({ name: "", email: "", company: "", website: "", message: "" });
        setSentTo(data.email);
      },
      onError: (error) => {
        captcha.spent();
        errors.report(error);
      },
    }),
  );
  usePageTitle(sentTo ? "Message sent" : "Contact us");

  if (sentTo) {
    return (
      <Sent
        email={sentTo}
        onAnother={() => {
          send.reset();
          setSentTo(null);
        }}
      />
    );
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    if (!captcha.ready()) return;
    send.mutate({ ...form.values, captchaToken: captcha.token });
  };

  return (
    <AuthCard
      title="Contact us"
      description="Questions about Click & Call, a problem, or a partnership? Write to us and we'll reply by email."
      footer={
        <p>
          Already a customer? <Link to="/login">Log in</Link> · New here?{" "}
          <Link to="/signup">Create an account</Link>
        </p>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form" aria-label="Contact us">
        <FormAlert errors={errors} />
        <TextField label="Your name" autoComplete="name" required maxLength={120} {...form.text("name")} />
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          inputMode="email"
          required
          hint="We reply to this address."
          {...form.text("email")}
        />
        <TextField label="Company" autoComplete="organization" maxLength={160} {...form.text("company")} />
        <TextField
          label="Website"
          autoComplete="url"
          inputMode="url"
          placeholder="acme.com"
          {...form.text("website")}
        />
        <TextAreaField
          label="Message"
          required
          maxLength={MESSAGE_MAX}
          value={form.values.message}
          onChange={(value) => form.set("message", value)}
          error={errors.field("message")}
        />
        {captcha.field}
        <p className="muted">
          We use these details only to answer you. See our <a href="/privacy">privacy policy</a>.
        </p>
        <Button type="submit" fullWidth pending={send.isPending} pendingLabel="Sending…">
          Send message
        </Button>
      </form>
    </AuthCard>
  );
}

function TextAreaField({
  label,
  required,
  maxLength,
  value,
  onChange,
  error,
}: {
  label: string;
  required?: boolean;
  maxLength: number;
  value: string;
  onChange(value: string): void;
  error: string[] | undefined;
}) {
  const id = `m${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const hintId = `${id}-hint`;
  const errorId = error?.length ? `${id}-error` : undefined;
  return (
    <div className={`ui-field${errorId ? " ui-field--invalid" : ""}`}>
      <label className="ui-label" htmlFor={id}>
        {label}
      </label>
      <p className="ui-hint" id={hintId}>
        {value.length > maxLength * 0.9
          ? `${value.length.toLocaleString()} of ${maxLength.toLocaleString()} characters`
          : "Tell us what you need; the more detail, the better our answer."}
      </p>
      <div className="ui-input-row">
        <textarea
          id={id}
          name="message"
          className="ui-input"
          rows={6}
          style={{ resize: "vertical" }}
          required={required}
          aria-required={required || undefined}
          aria-invalid={errorId ? true : undefined}
          aria-describedby={[errorId, hintId].filter(Boolean).join(" ")}
          maxLength={maxLength}
          value={value}
          onChange={(event) => onChange(event.target.value)}
        />
      </div>
      <FieldError id={errorId} messages={error ?? []} />
    </div>
  );
}

function Sent({ email, onAnother }: { email: string; onAnother: () => void }) {
  // Same path, new screen: move focus to its heading as a navigation would.
  useEffect(() => {
    document.querySelector<HTMLElement>("main h1")?.focus();
  }, []);
  return (
    <AuthCard
      title="Message sent"
      footer={
        <p>
          <Button variant="link" onClick={onAnother}>
            Send another message
          </Button>
        </p>
      }
    >
      <p role="status">
        Thanks — we'll reply to <strong className="break">{email}</strong>.
      </p>
    </AuthCard>
  );
}
