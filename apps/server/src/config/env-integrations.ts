import { z } from "zod";
import { emptyToUndefined, optionalString } from "./fields";

/** Outside services: Stripe billing, Turnstile captcha, email (Resend), PostHog analytics. */
export const integrationsEnv = {
  // Stripe billing: STRIPE_SECRET_KEY turns it on and requires the webhook secret and both prices.
  STRIPE_SECRET_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^(sk|rk)_(test|live)_[A-Za-z0-9]+$/,
        "must be a Stripe secret key: sk_live_…, sk_test_… or a restricted rk_… key",
      )
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^whsec_[A-Za-z0-9]+$/, "must be the webhook endpoint's signing secret: whsec_…")
      .optional(),
  ),
  STRIPE_PRICE_STARTER: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^price_[A-Za-z0-9_]+$/, "must be a Stripe price id: price_…")
      .optional(),
  ),
  STRIPE_PRICE_PRO: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^price_[A-Za-z0-9_]+$/, "must be a Stripe price id: price_…")
      .optional(),
  ),
  STRIPE_API_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://127.0.0.1:12111" })
      .optional(),
  ),
  // Cloudflare Turnstile: both keys or none.
  TURNSTILE_SITE_KEY: optionalString,
  TURNSTILE_SECRET_KEY: optionalString,
  TURNSTILE_VERIFY_URL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL" })
    .default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
  CONTACT_INBOX: z.preprocess(
    emptyToUndefined,
    z.email("must be an email address, like support@example.com").optional(),
  ),
  RESEND_API_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^re_[A-Za-z0-9_]+$/, "must be a Resend API key: re_…")
      .optional(),
  ),
  RESEND_BASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://127.0.0.1:4010" })
      .optional(),
  ),
  EMAIL_FROM: z.string().min(3).default("Click & Call <no-reply@clickandcall.local>"),
  EMAIL_MAX_ATTEMPTS: z.coerce
    .number({ error: "must be a whole number of attempts from 1 to 50" })
    .int("must be a whole number of attempts from 1 to 50")
    .min(1, "must be a whole number of attempts from 1 to 50")
    .max(50, "must be a whole number of attempts from 1 to 50")
    .default(12),
  // Web Push: the VAPID key pair (base64url, as `npx web-push generate-vapid-keys` prints it) and
  // a contact for the push services; all three or none. Push is off without them.
  VAPID_PUBLIC_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^B[A-Za-z0-9_-]{86}$/,
        "must be a VAPID public key: 87 base64url characters starting with B (an uncompressed P-256 point)",
      )
      .optional(),
  ),
  VAPID_PRIVATE_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{43}$/, "must be a VAPID private key: 43 base64url characters (32 bytes)")
      .optional(),
  ),
  VAPID_SUBJECT: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/,
        "must be a mailto: address or an https:// URL where push services can reach you",
      )
      .optional(),
  ),
  POSTHOG_KEY: optionalString,
  POSTHOG_HOST: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://us.i.posthog.com" })
    .default("https://us.i.posthog.com"),
};
