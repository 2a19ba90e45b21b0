import type { Context } from "../context";
import { AppError } from "../errors";
import type { LimitName } from "../limits";

/** Consumes one attempt of a policy, or throws RATE_LIMITED with the wait. */
export async function throttle(ctx: Pick<Context, "limiter" | "limits">, name: LimitName, key: string) {
  const result = await ctx.limiter.consume(name, ctx.limits[name], key);
  if (!result.allowed) {
    const minutes = Math.ceil(result.retryAfterSeconds / 60);
    throw new AppError(
      "RATE_LIMITED",
      `Too many attempts. Please wait ${minutes <= 1 ? "a minute" : `${minutes} minutes`} and try again.`,
      { retryAfterSeconds: result.retryAfterSeconds },
    );
  }
}
