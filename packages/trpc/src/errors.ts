import { AppError, errorStatusOf } from "@cac/core";
import { TRPCError } from "@trpc/server";

/**
 * A domain error as tRPC sends it: the status its code maps to (the same as httpStatusOf gives a
 * plain route), its message, and the AppError itself as the cause (the error formatter reads it).
 */
export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: errorStatusOf(error.appCode), message: error.message, cause: error });
}

/** The AppError behind a tRPC error, if a service threw one. */
export function appErrorOf(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  return error instanceof TRPCError && error.cause instanceof AppError ? error.cause : undefined;
}

/** Passes a subscription's events through; a domain error it ends with is sent as the tRPC error it maps to. */
export async function* withDomainErrors<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw error instanceof AppError ? toTRPCError(error) : error;
  }
}
