/**
 * The statuses a domain error can answer with, by the name tRPC gives each (tRPC's error codes
 * use these names, so the API maps a code without a second table), and their HTTP status.
 */
const statuses = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  PAYMENT_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorStatus = keyof typeof statuses;

/** Domain error codes and the status each one answers with. */
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
  /** A client IP or a session holds as many live streams (SSE) as it may. */
  TOO_MANY_STREAMS: "TOO_MANY_REQUESTS",
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
} as const satisfies Record<string, ErrorStatus>;

export type AppErrorCode = keyof typeof appErrorCodes;

/** Every domain error code, for tests that go through all of them. */
export const appErrorCodeList = Object.keys(appErrorCodes) as AppErrorCode[];

/** The status a domain error answers with, by name (tRPC's code for it). */
export function errorStatusOf(code: AppErrorCode): ErrorStatus {
  return appErrorCodes[code];
}

/** The HTTP status a domain error answers with: the same for a procedure and a plain route. */
export function httpStatusOf(code: AppErrorCode): number {
  return statuses[appErrorCodes[code]];
}

/**
 * The one error type services throw. It carries what the portal needs: a domain code (which
 * decides the HTTP status, see httpStatusOf), a message for people, field messages, and a retry
 * delay. The API layer turns it into its own error type; the core knows nothing of tRPC.
 */
export class AppError extends Error {
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
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.appCode = appCode;
    this.fieldErrors = options.fieldErrors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function fieldError(field: string, message: string): AppError {
  return new AppError("BAD_INPUT", message, { fieldErrors: { [field]: [message] } });
}
