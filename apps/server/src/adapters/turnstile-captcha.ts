import { randomUUID } from "node:crypto";
import type { Captcha, CaptchaExpectation, CaptchaResult, Logger } from "@cac/core";

export type TurnstileSettings = {
  siteKey: string;
  secretKey: string;
  /** Cloudflare's siteverify endpoint, or a stand-in (tests). */
  verifyUrl: URL;
  /** The whole check, retries included, gives up after this long (fails closed). */
  timeoutMs?: number;
};

/** What siteverify answers (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/). */
type SiteverifyResponse = {
  success?: unknown;
  "error-codes"?: unknown;
  challenge_ts?: unknown;
  hostname?: unknown;
  action?: unknown;
};

/** Turnstile tokens are at most 2048 characters; anything longer is not one. */
const MAX_TOKEN_LENGTH = 2048;

/**
 * Cloudflare's documented test secret keys (always passes, always fails, already spent). Their
 * answers are canned (a placeholder hostname, no action), so those two checks cannot apply.
 */
export function isTestSecretKey(secretKey: string): boolean {
  return /^[123]x0{31}AA$/.test(secretKey);
}

/** siteverify error codes that mean our configuration is wrong, not the visitor. */
const configErrors = new Set(["missing-input-secret", "invalid-input-secret"]);

class Unavailable extends Error {}

/**
 * Server-side Turnstile verification. Every token is checked with siteverify (secret, response,
 * remoteip and an idempotency key, so a retry after a dropped answer is safe), then its hostname
 * and action are compared with what the form expects. An unreachable or unreadable siteverify
 * refuses (fails closed) and logs the cause.
 */
export function createTurnstileCaptcha(settings: TurnstileSettings, log: Logger): Captcha {
  const timeoutMs = settings.timeoutMs ?? 5000;
  const testKeys = isTestSecretKey(settings.secretKey);

  async function siteverify(body: URLSearchParams, signal: AbortSignal): Promise<SiteverifyResponse> {
    let response: Response;
    try {
      response = await fetch(settings.verifyUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal,
      });
    } catch (error) {
      throw new Unavailable(
        signal.aborted ? `no answer within ${timeoutMs} ms` : `request failed: ${String(error)}`,
        { cause: error },
      );
    }
    const text = await response.text().catch(() => "");
    if (response.status >= 500) throw new Unavailable(`HTTP ${response.status}`);
    try {
      return JSON.parse(text) as SiteverifyResponse;
    } catch {
      throw new Unavailable(`HTTP ${response.status}, not JSON: ${text.slice(0, 120)}`);
    }
  }

  return {
    mode: "turnstile",
    siteKey: settings.siteKey,
    async verify(token, expect): Promise<CaptchaResult> {
      if (!token) return { ok: false, kind: "missing", reason: "no captcha token was sent" };
      if (token.length > MAX_TOKEN_LENGTH)
        return { ok: false, kind: "rejected", reason: "the token is longer than any Turnstile token" };
      const body = new URLSearchParams({
        secret: settings.secretKey,
        response: token,
        remoteip: expect.ip,
        idempotency_key: randomUUID(),
      });
      const signal = AbortSignal.timeout(timeoutMs);
      let answer: SiteverifyResponse | undefined;
      // One retry with the same idempotency key: Cloudflare answers it as the first attempt.
      for (let attempt = 1; !answer; attempt++) {
        try {
          answer = await siteverify(body, signal);
          const codes = errorCodes(answer);
          if (answer.success !== true && codes.includes("internal-error") && attempt < 2) answer = undefined;
        } catch (error) {
          if (!(error instanceof Unavailable)) throw error;
          if (attempt >= 2 || signal.aborted) {
            log.error(
              { err: error.cause ?? error, verifyUrl: settings.verifyUrl.origin, action: expect.action },
              `captcha: siteverify unreachable (${error.message})`,
            );
            return { ok: false, kind: "unavailable", reason: `siteverify unreachable: ${error.message}` };
          }
        }
      }
      return judge(answer, expect);
    },
  };

  function judge(answer: SiteverifyResponse, expect: CaptchaExpectation): CaptchaResult {
    const codes = errorCodes(answer);
    if (answer.success !== true) {
      if (codes.some((code) => configErrors.has(code))) {
        log.error({ errorCodes: codes }, "captcha: siteverify refused our secret key (TURNSTILE_SECRET_KEY)");
        return { ok: false, kind: "unavailable", reason: `misconfigured: ${codes.join(", ")}` };
      }
      if (codes.includes("internal-error"))
        return { ok: false, kind: "unavailable", reason: "siteverify internal-error" };
      if (codes.includes("timeout-or-duplicate"))
        return { ok: false, kind: "expired", reason: "the token expired or was already used" };
      return {
        ok: false,
        kind: "rejected",
        reason: `siteverify said no (${codes.join(", ") || "no error codes"})`,
      };
    }
    if (testKeys) return { ok: true };
    const hostname = typeof answer.hostname === "string" ? answer.hostname.toLowerCase() : "";
    if (!expect.hostnames.some((host) => host.toLowerCase() === hostname)) {
      return {
        ok: false,
        kind: "mismatch",
        reason: `solved on "${hostname}", expected ${expect.hostnames.map((h) => `"${h}"`).join(" or ")}`,
      };
    }
    const action = typeof answer.action === "string" ? answer.action : "";
    if (action !== expect.action) {
      return { ok: false, kind: "mismatch", reason: `action "${action}", expected "${expect.action}"` };
    }
    return { ok: true };
  }
}

function errorCodes(answer: SiteverifyResponse): string[] {
  const codes = answer["error-codes"];
  return Array.isArray(codes) ? codes.filter((code): code is string => typeof code === "string") : [];
}
