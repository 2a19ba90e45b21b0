import type { Context } from "../context";
import { AppError } from "../errors";
import type { LimitName } from "../limits";

/** RATE_LIMITED, telling the person how long to wait. */
export function rateLimitedError(retryAfterSeconds: number) {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new AppError(
    "RATE_LIMITED",
    `Too many attempts. Please wait ${minutes <= 1 ? "a minute" : `${minutes} minutes`} and try again.`,
    { retryAfterSeconds },
  );
}

/** Consumes one attempt of a policy, or throws RATE_LIMITED with the wait. */
export async function throttle(ctx: Pick<Context, "limiter" | "limits">, name: LimitName, key: string) {
  const result = await ctx.limiter.consume(name, ctx.limits[name], key);
  if (!result.allowed) throw rateLimitedError(result.retryAfterSeconds);
}
