import type { Context } from "../context";
import { AppError } from "../errors";
import type { CaptchaExpectation, CaptchaResult } from "../ports";

export type CaptchaRefusal = Extract<CaptchaResult, { ok: false }>;

/** What the person is told, by kind of refusal (the reason itself only goes to the logs). */
const portalMessages: Record<CaptchaRefusal["kind"], string> = {
  missing: "Please complete the verification check, then send the form again.",
  rejected: "We couldn't verify that you're a person. Please complete the check again.",
  expired: "The verification check expired. Please complete it again.",
  mismatch: "We couldn't verify that you're a person. Please complete the check again.",
  unavailable: "We couldn't reach the verification service. Please try again in a minute.",
};

/**
 * Checks the token when the captcha is on; null when it passes (or the captcha is off), else the
 * refusal, logged with its reason. Call it after the cheap checks and before anything is created.
 */
export async function captchaRefusal(
  ctx: Pick<Context, "captcha" | "log">,
  token: string | undefined,
  expect: CaptchaExpectation,
): Promise<CaptchaRefusal | null> {
  if (ctx.captcha.mode === "off") return null;
  const verdict = await ctx.captcha.verify(token, expect);
  if (verdict.ok) return null;
  ctx.log.info(
    { ip: expect.ip, action: expect.action, kind: verdict.kind, reason: verdict.reason },
    "captcha refused",
  );
  return verdict;
}

/** CAPTCHA_FAILED with `message`, or what the person is told for this kind of refusal. */
export function captchaFailed(refusal: CaptchaRefusal, message?: string) {
  return new AppError("CAPTCHA_FAILED", message ?? portalMessages[refusal.kind]);
}

/**
 * Throws CAPTCHA_FAILED unless the captcha is off or the token passes, so a refusal leaves no
 * trace but the log line.
 */
export async function requireCaptcha(
  ctx: Pick<Context, "captcha" | "log">,
  token: string | undefined,
  expect: CaptchaExpectation,
  message?: string,
) {
  const refusal = await captchaRefusal(ctx, token, expect);
  if (refusal) throw captchaFailed(refusal, message);
}

/** The portal's own host: where signup and contact challenges are solved. */
export function portalHostnames(ctx: Pick<Context, "settings">): string[] {
  return [ctx.settings.publicUrl.hostname];
}
