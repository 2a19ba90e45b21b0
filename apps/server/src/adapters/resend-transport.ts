import type { MailTransport } from "@cac/core";
import { Resend } from "resend";

export type ResendSettings = {
  apiKey: string;
  /** The sender every message uses (EMAIL_FROM), e.g. `Click & Call <no-reply@example.com>`. */
  from: string;
  /** A stand-in for api.resend.com (tests, local mocks); the real API when unset. */
  baseUrl: URL | undefined;
};

const RESEND_API = "https://api.resend.com";
/** A send that takes longer is given up (and retried later), so a slow provider cannot hold the worker. */
const SEND_TIMEOUT_MS = 10_000;

/** What Resend answered instead of accepting a message; `cause` is the SDK's error object. */
export class EmailDeliveryError extends Error {
  readonly statusCode: number | null;
  constructor(message: string, statusCode: number | null, cause: unknown) {
    super(message, { cause });
    this.name = "EmailDeliveryError";
    this.statusCode = statusCode;
  }
}

/** The SDK appends paths like `/emails`, so the base URL must not end with a slash. */
export function resendBaseUrl(baseUrl: URL | undefined): string {
  return (baseUrl?.toString() ?? RESEND_API).replace(/\/+$/, "");
}

/**
 * Sends through Resend's API with the official SDK. Rejects when Resend does not accept the
 * message. The queued message's id is the Idempotency-Key, so when a send that did reach Resend is
 * retried (its answer was lost, or the server stopped while waiting), Resend sends it only once.
 */
export function createResendTransport(settings: ResendSettings): MailTransport {
  // baseUrl is always passed: otherwise the SDK would read RESEND_BASE_URL from the environment
  // itself, and the config module would no longer be the one place settings come from.
  const resend = new Resend(settings.apiKey, { baseUrl: resendBaseUrl(settings.baseUrl) });
  return {
    mode: "resend",
    async deliver(message, { id, signal }) {
      // Only the message itself: no tags, headers or scheduling; tracking is not requested.
      const { error } = await resend.emails.send(
        {
          from: settings.from,
          to: message.to,
          subject: message.subject,
          html: message.html,
          text: message.text,
        },
        {
          idempotencyKey: `cac-email/${id}`,
          signal: AbortSignal.any([signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
        },
      );
      if (error) {
        throw new EmailDeliveryError(
          `Resend did not accept the email: ${error.message} (${error.name}${error.statusCode ? `, HTTP ${error.statusCode}` : ""})`,
          error.statusCode ?? null,
          error,
        );
      }
    },
  };
}
