import type { Context } from "../context";
import { AppError } from "../errors";
import type { CaptchaExpectation, CaptchaResult } from "../ports";

type Refusal = Extract<CaptchaResult, { ok: false }>;

/** What the person is told, by kind of refusal (the reason itself only goes to the logs). */
const portalMessages: Record<Refusal["kind"], string> = {
  missing: "Please complete the verification check, then send the form again.",
  rejected: "We couldn't verify that you're a person. Please complete the check again.",
  expired: "The verification check expired. Please complete it again.",
  mismatch: "We couldn't verify that you're a person. Please complete the check again.",
  unavailable: "We couldn't reach the verification service. Please try again in a minute.",
};

/**
 * Throws CAPTCHA_FAILED unless the captcha is off or the token passes. Call it after the cheap
 * checks and before anything is created, so a refusal leaves no trace but the log line.
 */
export async function requireCaptcha(
  ctx: Pick<Context, "captcha" | "log">,
  token: string | undefined,
  expect: CaptchaExpectation,
  message?: string,
) {
  if (ctx.captcha.mode === "off") return;
  const verdict = await ctx.captcha.verify(token, expect);
  if (verdict.ok) return;
  ctx.log.info(
    { ip: expect.ip, action: expect.action, kind: verdict.kind, reason: verdict.reason },
    "captcha refused",
  );
  throw new AppError("CAPTCHA_FAILED", message ?? portalMessages[verdict.kind]);
}

/** The portal's own host: where signup and contact challenges are solved. */
export function portalHostnames(ctx: Pick<Context, "settings">): string[] {
  return [ctx.settings.publicUrl.hostname];
}
