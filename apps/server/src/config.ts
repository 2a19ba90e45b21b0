import { existsSync } from "node:fs";
import { z } from "zod";
import { parseProxyList, TRUST_PROXY_HELP, type TrustProxy } from "./client-ip";

const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  // An empty PORT means unset (3000), not 0 (a random port).
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: "must be a port number from 0 to 65535" })
      .int("must be a port number from 0 to 65535")
      .min(0, "must be a port number from 0 to 65535")
      .max(65535, "must be a port number from 0 to 65535")
      .default(3000),
  ),
  // Loopback unless production (see loadConfig): a development server is not for the network.
  HOST: optionalString,
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://calls.example.com" })
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// URL" }).optional(),
  ),
  DATA_DIR: z.string().default("./data"),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^rediss?$/, message: "must be a redis:// URL" }).optional(),
  ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1 to 40 letters, digits, - or _, like cac-staging")
    .default("cac"),
  // Live streams (the phone panel's, a visitor's call) one instance holds at once per client IP
  // (per /64 for IPv6) and per session (a login, or one call); with Redis, across every instance.
  SSE_STREAMS_PER_IP: z.coerce
    .number({ error: "must be a whole number of streams from 1 to 100000" })
    .int("must be a whole number of streams from 1 to 100000")
    .min(1, "must be a whole number of streams from 1 to 100000")
    .max(100_000, "must be a whole number of streams from 1 to 100000")
    .default(100),
  SSE_STREAMS_PER_SESSION: z.coerce
    .number({ error: "must be a whole number of streams from 1 to 1000" })
    .int("must be a whole number of streams from 1 to 1000")
    .min(1, "must be a whole number of streams from 1 to 1000")
    .max(1000, "must be a whole number of streams from 1 to 1000")
    .default(10),
  OPERATOR_EMAILS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email("must be a comma-separated list of email addresses"))),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WEB_DIST_DIR: optionalString,
  S3_BUCKET: optionalString,
  S3_REGION: z.string().default("auto"),
  S3_ENDPOINT: z.preprocess(
    emptyToUndefined,
    z.url({ message: "must be the storage service URL" }).optional(),
  ),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  RING_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(300).default(30),
  ICE_SERVERS: z
    .string()
    .default("[]")
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({
          code: "custom",
          message: 'must be JSON, like [{"urls":"stun:stun.example.com:3478"}]',
        });
        return z.NEVER;
      }
    })
    .pipe(
      z.array(
        z.object({
          urls: z.union([z.string(), z.array(z.string())]),
          username: z.string().optional(),
          credential: z.string().optional(),
        }),
        { message: 'must be a JSON array like [{"urls":"stun:stun.example.com:3478"}]' },
      ),
    ),
  // coturn's shared-secret mode (TURN REST API): both or none (checked in loadConfig).
  TURN_URLS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((value) =>
        value
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^turns?:[^\s]+$/,
                "must be a comma-separated list of turn: or turns: URLs, like turn:turn.example.com:3478,turns:turn.example.com:5349?transport=tcp",
              ),
          )
          .min(1, "must name at least one turn: or turns: URL"),
      )
      .optional(),
  ),
  // Every visitor receives a credential signed with it, so a short secret could be guessed offline.
  TURN_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .min(32, "must be at least 32 characters (for example the output of `openssl rand -hex 32`)")
      .optional(),
  ),
  ICE_TRANSPORT_POLICY: z.enum(["all", "relay"], { error: 'must be "all" or "relay"' }).default("all"),
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
  TRUST_PROXY: optionalString.transform((value, ctx): TrustProxy => {
    if (value === undefined || value === "false" || value === "0") return false;
    if (value === "true") {
      ctx.addIssue({
        code: "custom",
        message: `"true" would trust every X-Forwarded-For entry, so any client could choose its own IP (and escape its rate limits and blocks); ${TRUST_PROXY_HELP}`,
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops > 10) {
        ctx.addIssue({ code: "custom", message: `counts proxies from 0 to 10; ${TRUST_PROXY_HELP}` });
        return z.NEVER;
      }
      return { hops };
    }
    const list = parseProxyList(value);
    if ("problem" in list) {
      ctx.addIssue({ code: "custom", message: list.problem });
      return z.NEVER;
    }
    return list;
  }),
  // Production refuses the development stand-ins unless one of these says it is meant.
  ALLOW_DEV_OUTBOX_IN_PRODUCTION: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  // Twilio Voice: all six or none (checked in loadConfig).
  TWILIO_ACCOUNT_SID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, "must be an Account SID: AC followed by 32 hex characters")
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_API_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, "must be an API Key SID: SK followed by 32 hex characters")
      .optional(),
  ),
  TWILIO_API_SECRET: optionalString,
  TWILIO_TWIML_APP_SID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^AP[0-9a-fA-F]{32}$/, "must be a TwiML App SID: AP followed by 32 hex characters")
      .optional(),
  ),
  TWILIO_CALLER_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\+1[2-9]\d{2}[2-9]\d{6}$/, "must be a US number in E.164 form, like +12025550143")
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
  POSTHOG_KEY: optionalString,
  POSTHOG_HOST: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://us.i.posthog.com" })
    .default("https://us.i.posthog.com"),
  PRIVACY_POLICY_FILE: optionalString,
  JOBS_INTERVAL_SECONDS: z.coerce
    .number({ error: "must be a number of seconds from 60 to 86400" })
    .int("must be a whole number of seconds")
    .min(60, "must be at least 60 seconds")
    .max(86400, "must be at most 86400 seconds (a day)")
    .default(3600),
});

const twilioKeys = [
  "TWILIO_ACCOUNT_SID",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_API_KEY",
  "TWILIO_API_SECRET",
  "TWILIO_TWIML_APP_SID",
  "TWILIO_CALLER_ID",
] as const;

export type Env = z.input<typeof configSchema>;

export type AppConfig = {
  env: "development" | "production" | "test";
  production: boolean;
  port: number;
  host: string;
  publicUrl: URL;
  databaseUrl: string | undefined;
  dataDir: string;
  redisUrl: string | undefined;
  /** Prefix of every Redis key and channel; the instances of one deployment share it. */
  redisKeyPrefix: string;
  operatorEmails: string[];
  logLevel: string;
  webDistDir: string | undefined;
  /** Who may add to X-Forwarded-For (see client-ip.ts); false: clients reach the server directly. */
  trustProxy: TrustProxy;
  /** Concurrent live streams (SSE) allowed per client IP and per session. */
  streams: { perIp: number; perSession: number };
  calls: {
    ringTimeoutSeconds: number;
    iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
    /** coturn in shared-secret mode: each call gets a credential of its own (TURN_URLS, TURN_SECRET). */
    turn: { urls: string[]; secret: string } | undefined;
    /** "relay" makes both browsers use TURN relays only (ICE_TRANSPORT_POLICY). */
    iceTransportPolicy: "all" | "relay";
  };
  /** S3-compatible storage for logos; local disk under DATA_DIR/uploads when unset. */
  s3:
    | {
        bucket: string;
        region: string;
        endpoint: string | undefined;
        accessKeyId: string;
        secretAccessKey: string;
        forcePathStyle: boolean;
      }
    | undefined;
  /** Stripe billing; billing is off (every account on the Free plan's limits) when unset. */
  stripe: StripeConfig | undefined;
  /** Twilio Voice (rings phone numbers); calls stay browser-to-browser (WebRTC) when unset. */
  twilio: TwilioConfig | undefined;
  /** Cloudflare Turnstile on signup, contact and call starts; off when unset. */
  turnstile: { siteKey: string; secretKey: string; verifyUrl: URL } | undefined;
  /** Where contact-form messages are emailed; the operators' addresses when unset. */
  contactInbox: string | undefined;
  email: {
    from: string;
    /** Resend when set; the dev outbox otherwise. */
    resend: { apiKey: string; baseUrl: URL | undefined } | undefined;
    /** Delivery attempts of a queued message before it is given up on. */
    maxAttempts: number;
  };
  /** PostHog product analytics in the portal; off when unset. */
  posthog: { key: string; host: URL } | undefined;
  /** The markdown file /privacy renders; the shipped policy when unset. */
  privacyPolicyFile: string | undefined;
  jobs: { intervalSeconds: number };
};

export type TwilioConfig = {
  accountSid: string;
  authToken: string;
  apiKey: string;
  apiSecret: string;
  twimlAppSid: string;
  /** A +1 number of the Twilio account, shown to the business's phone as the caller. */
  callerId: string;
};

export type StripeConfig = {
  secretKey: string;
  webhookSecret: string;
  prices: { starter: string; pro: string };
  /** A stand-in for api.stripe.com (stripe-mock, tests); the real API when unset. */
  apiUrl: URL | undefined;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

function isLoopback(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

/** The only reader of the environment. Every problem names its variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      // The variable's name, not a path into its parsed value (OPERATOR_EMAILS, not OPERATOR_EMAILS.1).
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "environment")}: ${issue.message}`),
    );
  }
  const c = parsed.data;
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
  if (c.PRIVACY_POLICY_FILE && !existsSync(c.PRIVACY_POLICY_FILE)) {
    problems.push(
      `PRIVACY_POLICY_FILE: there is no file at ${c.PRIVACY_POLICY_FILE} (unset it to serve the shipped policy)`,
    );
  }
  if (problems.length) throw new ConfigError(problems);
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
    posthog: c.POSTHOG_KEY ? { key: c.POSTHOG_KEY, host: new URL(c.POSTHOG_HOST) } : undefined,
    privacyPolicyFile: c.PRIVACY_POLICY_FILE,
    jobs: { intervalSeconds: c.JOBS_INTERVAL_SECONDS },
  };
}
