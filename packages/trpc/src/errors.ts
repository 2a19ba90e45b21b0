import { TRPCError } from "@trpc/server";

/** Domain error codes and the tRPC (HTTP) code each one maps to. */
const appErrorCodes = {
  BAD_INPUT: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  ORIGIN_NOT_ALLOWED: "FORBIDDEN",
  /** The button's account has not confirmed its email: the button works on the portal only. */
  ACCOUNT_UNVERIFIED: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PLAN_LIMIT: "FORBIDDEN",
  STORAGE_QUOTA: "FORBIDDEN",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INVALID_TOKEN: "BAD_REQUEST",
  WRONG_PASSWORD: "BAD_REQUEST",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  BUTTON_CLOSED: "PRECONDITION_FAILED",
  IP_BLOCKED: "FORBIDDEN",
  OVER_QUOTA: "PAYMENT_REQUIRED",
  CAPTCHA_FAILED: "FORBIDDEN",
  NO_AGENT_AVAILABLE: "SERVICE_UNAVAILABLE",
  /** Live events (Redis pubsub) are down, so a call could not ring. */
  LIVE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
} as const satisfies Record<string, TRPCError["code"]>;

export type AppErrorCode = keyof typeof appErrorCodes;

/**
 * The one error type services throw. It is a TRPCError so tRPC sends the mapped HTTP status,
 * and it carries what the portal needs: a domain code, field messages, and a retry delay.
 */
export class AppError extends TRPCError {
  readonly appCode: AppErrorCode;
  readonly fieldErrors: Record<string, string[]> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    appCode: AppErrorCode,
    message: string,
    options: {
      fieldErrors?: Record<string, string[]>;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super({ code: appErrorCodes[appCode], message, cause: options.cause });
    this.name = "AppError";
    this.appCode = appCode;
    this.fieldErrors = options.fieldErrors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function fieldError(field: string, message: string): AppError {
  return new AppError("BAD_INPUT", message, { fieldErrors: { [field]: [message] } });
}
