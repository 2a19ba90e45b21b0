import type { AppRouter } from "@cac/trpc";
import { TRPCClientError } from "@trpc/client";

export type AppClientError = TRPCClientError<AppRouter>;

/** What a form or page needs to know about a failed request. */
export type ErrorInfo = {
  /** The human message: the server's own, or ours for network failures. */
  message: string;
  fieldErrors: Record<string, string[]>;
  appCode: string | null;
  httpStatus: number | null;
  retryAfterSeconds: number | null;
};

const NETWORK_MESSAGE = "We could not reach Click & Call. Check your connection and try again.";

export function isClientError(error: unknown): error is AppClientError {
  return error instanceof TRPCClientError;
}

export function describeError(error: unknown): ErrorInfo {
  if (isClientError(error) && error.data) {
    const data = error.data;
    const fieldErrors: Record<string, string[]> = {};
    for (const [field, messages] of Object.entries(data.fieldErrors ?? {})) {
      if (messages?.length) fieldErrors[field] = messages;
    }
    return {
      message: error.message,
      fieldErrors,
      appCode: data.appCode ?? null,
      httpStatus: data.httpStatus ?? null,
      retryAfterSeconds: data.retryAfterSeconds ?? null,
    };
  }
  // No error shape: the request never reached the API (offline, proxy down, HTML error page).
  return {
    message: NETWORK_MESSAGE,
    fieldErrors: {},
    appCode: null,
    httpStatus: null,
    retryAfterSeconds: null,
  };
}

export function isUnauthenticated(error: unknown): boolean {
  return isClientError(error) && error.data?.code === "UNAUTHORIZED";
}

/** Retry network failures and server errors a couple of times; a 4xx answer will not change. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (failureCount >= 2) return false;
  const status = isClientError(error) ? error.data?.httpStatus : undefined;
  return status === undefined || status >= 500;
}
