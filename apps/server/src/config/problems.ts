import { existsSync } from "node:fs";
import { twilioKeys } from "./env-calls";
import type { ParsedEnv } from "./schema";

function isLoopback(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

/**
 * What each variable's own check cannot see: settings that need one another, and what production
 * requires. Every problem names its variable.
 */
export function settingProblems(c: ParsedEnv): string[] {
  const production = c.NODE_ENV === "production";
  const problems: string[] = [];
  if (production && !c.PUBLIC_URL) {
    problems.push("PUBLIC_URL: is required in production (the address customers use)");
  }
  // Session cookies are Secure only on https, so production must be served over https.
  if (
    production &&
    c.PUBLIC_URL &&
    !c.PUBLIC_URL.startsWith("https:") &&
    !isLoopback(new URL(c.PUBLIC_URL))
  ) {
    problems.push("PUBLIC_URL: must be an https:// URL in production");
  }
  // In production the dev outbox would keep every verification and reset link on this server, and
  // the embedded database is one process's files: both only when a setting says so.
  if (production && !c.RESEND_API_KEY && !c.ALLOW_DEV_OUTBOX_IN_PRODUCTION) {
    problems.push(
      "RESEND_API_KEY: is required in production (without it no email leaves the server: verification and password-reset links stay in the dev outbox). Set it, or set ALLOW_DEV_OUTBOX_IN_PRODUCTION=true to run without email on purpose",
    );
  }
  if (production && !c.DATABASE_URL && !c.ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION) {
    problems.push(
      "DATABASE_URL: is required in production (the embedded PGlite database is files of one process: no second instance, no managed backups). Set it, or set ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION=true to run on the embedded database on purpose",
    );
  }
  if (c.S3_BUCKET && (!c.S3_ACCESS_KEY_ID || !c.S3_SECRET_ACCESS_KEY)) {
    problems.push("S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: are required when S3_BUCKET is set");
  }
  const twilioSet = twilioKeys.filter((key) => c[key] !== undefined);
  if (twilioSet.length > 0 && twilioSet.length < twilioKeys.length) {
    const missing = twilioKeys.filter((key) => c[key] === undefined);
    problems.push(
      `${missing.join(", ")}: ${missing.length === 1 ? "is" : "are"} required when any TWILIO_* setting is set (Twilio Voice needs all six: ${twilioKeys.join(", ")})`,
    );
  }
  if (twilioSet.length === twilioKeys.length && !c.PUBLIC_URL) {
    problems.push(
      "PUBLIC_URL: is required with Twilio (Twilio calls the webhooks at this address, and their signatures are checked against it)",
    );
  }
  const stripeRequired = ["STRIPE_WEBHOOK_SECRET", "STRIPE_PRICE_STARTER", "STRIPE_PRICE_PRO"] as const;
  if (c.STRIPE_SECRET_KEY) {
    const missing = stripeRequired.filter((key) => c[key] === undefined);
    if (missing.length) {
      problems.push(
        `${missing.join(", ")}: ${missing.length === 1 ? "is" : "are"} required when STRIPE_SECRET_KEY is set`,
      );
    }
    if (c.STRIPE_PRICE_STARTER && c.STRIPE_PRICE_STARTER === c.STRIPE_PRICE_PRO) {
      problems.push("STRIPE_PRICE_PRO: must differ from STRIPE_PRICE_STARTER (each plan has its own price)");
    }
  } else {
    const stray = [...stripeRequired, "STRIPE_API_URL" as const].filter((key) => c[key] !== undefined);
    if (stray.length) {
      problems.push(
        `STRIPE_SECRET_KEY: is required when ${stray.join(", ")} ${stray.length === 1 ? "is" : "are"} set (billing stays off without it)`,
      );
    }
  }
  if (Boolean(c.TURNSTILE_SITE_KEY) !== Boolean(c.TURNSTILE_SECRET_KEY)) {
    problems.push(
      `${c.TURNSTILE_SITE_KEY ? "TURNSTILE_SECRET_KEY" : "TURNSTILE_SITE_KEY"}: is required when the other Turnstile key is set (captcha needs both)`,
    );
  }
  if (Boolean(c.TURN_URLS) !== Boolean(c.TURN_SECRET)) {
    problems.push(
      `${c.TURN_URLS ? "TURN_SECRET" : "TURN_URLS"}: is required when ${c.TURN_URLS ? "TURN_URLS" : "TURN_SECRET"} is set (each call's TURN credential needs both)`,
    );
  }
  const staticTurn = c.ICE_SERVERS.some((server) => [server.urls].flat().some((url) => /^turns?:/.test(url)));
  if (c.ICE_TRANSPORT_POLICY === "relay" && !c.TURN_URLS && !staticTurn) {
    problems.push(
      "ICE_TRANSPORT_POLICY: relay needs a TURN server (TURN_URLS and TURN_SECRET, or a turn: entry in ICE_SERVERS); without one no browser call could connect",
    );
  }
  if (c.RESEND_BASE_URL && !c.RESEND_API_KEY) {
    problems.push(
      "RESEND_API_KEY: is required when RESEND_BASE_URL is set (email stays in the dev outbox without it)",
    );
  }
  const vapidKeys = ["VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT"] as const;
  const vapidMissing = vapidKeys.filter((key) => c[key] === undefined);
  if (vapidMissing.length > 0 && vapidMissing.length < vapidKeys.length) {
    problems.push(
      `${vapidMissing.join(", ")}: ${vapidMissing.length === 1 ? "is" : "are"} required when any VAPID_* setting is set (Web Push needs all three: ${vapidKeys.join(", ")}; unset them all to turn push off)`,
    );
  }
  if (c.PRIVACY_POLICY_FILE && !existsSync(c.PRIVACY_POLICY_FILE)) {
    problems.push(
      `PRIVACY_POLICY_FILE: there is no file at ${c.PRIVACY_POLICY_FILE} (unset it to serve the shipped policy)`,
    );
  }
  return problems;
}
