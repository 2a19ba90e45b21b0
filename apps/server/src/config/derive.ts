import type { ParsedEnv } from "./schema";
import type { AppConfig } from "./types";

/** The settings the server uses, shaped from the checked environment (defaults filled in). */
export function appConfigFrom(c: ParsedEnv): AppConfig {
  const production = c.NODE_ENV === "production";
  return {
    env: c.NODE_ENV,
    production,
    port: c.PORT,
    host: c.HOST ?? (production ? "0.0.0.0" : "localhost"),
    publicUrl: new URL(c.PUBLIC_URL ?? `http://localhost:${c.PORT}`),
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR,
    redisUrl: c.REDIS_URL,
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
    operatorEmails: c.OPERATOR_EMAILS,
    logLevel: c.LOG_LEVEL,
    webDistDir: c.WEB_DIST_DIR,
    trustProxy: c.TRUST_PROXY,
    streams: { perIp: c.SSE_STREAMS_PER_IP, perSession: c.SSE_STREAMS_PER_SESSION },
    publicConfigCacheEntries: c.PUBLIC_CONFIG_CACHE_ENTRIES,
    calls: {
      ringTimeoutSeconds: c.RING_TIMEOUT_SECONDS,
      iceServers: c.ICE_SERVERS,
      turn: c.TURN_URLS && c.TURN_SECRET ? { urls: c.TURN_URLS, secret: c.TURN_SECRET } : undefined,
      iceTransportPolicy: c.ICE_TRANSPORT_POLICY,
    },
    stripe:
      c.STRIPE_SECRET_KEY && c.STRIPE_WEBHOOK_SECRET && c.STRIPE_PRICE_STARTER && c.STRIPE_PRICE_PRO
        ? {
            secretKey: c.STRIPE_SECRET_KEY,
            webhookSecret: c.STRIPE_WEBHOOK_SECRET,
            prices: { starter: c.STRIPE_PRICE_STARTER, pro: c.STRIPE_PRICE_PRO },
            apiUrl: c.STRIPE_API_URL ? new URL(c.STRIPE_API_URL) : undefined,
          }
        : undefined,
    s3: c.S3_BUCKET
      ? {
          bucket: c.S3_BUCKET,
          region: c.S3_REGION,
          endpoint: c.S3_ENDPOINT,
          accessKeyId: c.S3_ACCESS_KEY_ID ?? "",
          secretAccessKey: c.S3_SECRET_ACCESS_KEY ?? "",
          forcePathStyle: c.S3_FORCE_PATH_STYLE,
        }
      : undefined,
    twilio:
      c.TWILIO_ACCOUNT_SID &&
      c.TWILIO_AUTH_TOKEN &&
      c.TWILIO_API_KEY &&
      c.TWILIO_API_SECRET &&
      c.TWILIO_TWIML_APP_SID &&
      c.TWILIO_CALLER_ID
        ? {
            accountSid: c.TWILIO_ACCOUNT_SID,
            authToken: c.TWILIO_AUTH_TOKEN,
            apiKey: c.TWILIO_API_KEY,
            apiSecret: c.TWILIO_API_SECRET,
            twimlAppSid: c.TWILIO_TWIML_APP_SID,
            callerId: c.TWILIO_CALLER_ID,
          }
        : undefined,
    turnstile:
      c.TURNSTILE_SITE_KEY && c.TURNSTILE_SECRET_KEY
        ? {
            siteKey: c.TURNSTILE_SITE_KEY,
            secretKey: c.TURNSTILE_SECRET_KEY,
            verifyUrl: new URL(c.TURNSTILE_VERIFY_URL),
          }
        : undefined,
    contactInbox: c.CONTACT_INBOX,
    email: {
      from: c.EMAIL_FROM,
      resend: c.RESEND_API_KEY
        ? {
            apiKey: c.RESEND_API_KEY,
            baseUrl: c.RESEND_BASE_URL ? new URL(c.RESEND_BASE_URL) : undefined,
          }
        : undefined,
      maxAttempts: c.EMAIL_MAX_ATTEMPTS,
    },
    push:
      c.VAPID_PUBLIC_KEY && c.VAPID_PRIVATE_KEY && c.VAPID_SUBJECT
        ? { publicKey: c.VAPID_PUBLIC_KEY, privateKey: c.VAPID_PRIVATE_KEY, subject: c.VAPID_SUBJECT }
        : undefined,
    posthog: c.POSTHOG_KEY ? { key: c.POSTHOG_KEY, host: new URL(c.POSTHOG_HOST) } : undefined,
    privacyPolicyFile: c.PRIVACY_POLICY_FILE,
    jobs: { intervalSeconds: c.JOBS_INTERVAL_SECONDS },
  };
}
