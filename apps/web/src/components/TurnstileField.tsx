import { Button, FieldError, Spinner } from "@cac/ui";
import { forwardRef, type ReactNode, useEffect, useId, useRef, useState } from "react";
import { useSystemInfo } from "../lib/system";
import { loadTurnstile } from "../lib/turnstile";

type Status = "loading" | "ready" | "solved" | "expired" | "failed" | "unloadable";

export type CaptchaAction = "signup" | "contact" | "login";

type TurnstileFieldProps = {
  siteKey: string;
  action: CaptchaAction;
  onToken(token: string | null): void;
  /** Bumped by the form when its token was used up: the widget then runs again. */
  resetSignal: number;
  error?: string | undefined;
};

/**
 * Cloudflare Turnstile in a form: loads the script on first use, renders the widget with the
 * form's action, and says in words what is happening (loading, expired, failed, blocked).
 */
const TurnstileField = forwardRef<HTMLFieldSetElement, TurnstileFieldProps>(function TurnstileField(
  { siteKey, action, onToken, resetSignal, error },
  ref,
) {
  const box = useRef<HTMLDivElement>(null);
  const widgetId = useRef<string | null>(null);
  const report = useRef(onToken);
  report.current = onToken;
  const [status, setStatus] = useState<Status>("loading");
  const [attempt, setAttempt] = useState(0);
  const errorId = `${useId().replace(/[^a-zA-Z0-9_-]/g, "")}-captcha-error`;

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` re-runs the load on "Try again"
  useEffect(() => {
    let cancelled = false;
    setStatus("loading");
    loadTurnstile().then(
      (api) => {
        if (cancelled || !box.current) return;
        widgetId.current =
          api.render(box.current, {
            sitekey: siteKey,
            action,
            theme: "light",
            "refresh-expired": "auto",
            callback: (token) => {
              report.current(token);
              setStatus("solved");
            },
            "expired-callback": () => {
              report.current(null);
              setStatus("expired");
            },
            "timeout-callback": () => {
              report.current(null);
              setStatus("expired");
            },
            "error-callback": () => {
              report.current(null);
              setStatus("failed");
              // Handled: we show our own message and a way to retry.
              return true;
            },
          }) ?? null;
        setStatus((current) => (current === "loading" ? "ready" : current));
      },
      () => {
        if (!cancelled) setStatus("unloadable");
      },
    );
    return () => {
      cancelled = true;
      if (widgetId.current) window.turnstile?.remove(widgetId.current);
      widgetId.current = null;
      report.current(null);
    };
  }, [siteKey, action, attempt]);

  useEffect(() => {
    if (resetSignal === 0 || !widgetId.current) return;
    report.current(null);
    window.turnstile?.reset(widgetId.current);
    setStatus("ready");
  }, [resetSignal]);

  const retry = () => {
    if (status === "unloadable" || !widgetId.current) setAttempt((n) => n + 1);
    else {
      window.turnstile?.reset(widgetId.current);
      setStatus("ready");
    }
  };

  let note: ReactNode = null;
  if (status === "loading") note = <Spinner size="sm" label="Loading the verification check…" showLabel />;
  else if (status === "expired") note = "The check expired. It runs again by itself; complete it if asked.";
  else if (status === "failed" || status === "unloadable")
    note = (
      <>
        {status === "failed"
          ? "The verification check didn't work."
          : "The verification check couldn't load. Check your connection or content blocker."}{" "}
        <Button variant="link" onClick={retry}>
          Try again
        </Button>
      </>
    );

  return (
    <fieldset
      ref={ref}
      tabIndex={-1}
      className={`ui-field${error ? " ui-field--invalid" : ""}`}
      style={{ border: 0, margin: 0, padding: 0, minWidth: 0 }}
      aria-describedby={error ? errorId : undefined}
    >
      <legend className="ui-visually-hidden">Verification check</legend>
      <div ref={box} />
      <p className="ui-hint" aria-live="polite">
        {note}
        {status === "solved" ? <span className="ui-visually-hidden">Verified.</span> : null}
      </p>
      <FieldError id={errorId} messages={error ? [error] : []} />
    </fieldset>
  );
});

/**
 * The captcha of a public form, when the server has Turnstile on: the field to render, the
 * token to send, and the two moments a form must tell it about (before sending, after a reply).
 * With `whenAsked`, the check shows only once the server asked for it (`ask()`, on CAPTCHA_FAILED):
 * the login form needs it only for an account that has had many attempts.
 */
export function useCaptcha(action: CaptchaAction, options: { whenAsked?: boolean } = {}) {
  const info = useSystemInfo();
  const [asked, setAsked] = useState(!options.whenAsked);
  const siteKey = asked ? (info.data?.captchaSiteKey ?? null) : null;
  const [token, setToken] = useState<string | null>(null);
  const [resetSignal, setResetSignal] = useState(0);
  const [missing, setMissing] = useState(false);
  const fieldRef = useRef<HTMLFieldSetElement>(null);
  return {
    token: token ?? undefined,
    /** False, with a message on the field, while the check is not done. */
    ready(): boolean {
      if (!siteKey || token) return true;
      setMissing(true);
      fieldRef.current?.focus();
      return false;
    },
    /** The server asked for the check: show it (a form made with `whenAsked`). */
    ask() {
      setAsked(true);
    },
    /** After an answer from the server: a token works once, so get a fresh one. */
    spent() {
      if (!siteKey) return;
      setToken(null);
      setResetSignal((n) => n + 1);
    },
    field: siteKey ? (
      <TurnstileField
        ref={fieldRef}
        siteKey={siteKey}
        action={action}
        resetSignal={resetSignal}
        error={missing && !token ? "Complete the verification check first." : undefined}
        onToken={(value) => {
          setToken(value);
          if (value) setMissing(false);
        }}
      />
    ) : null,
  };
}
