import type { TrustProxy } from "../client-ip";

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
  /** Public button configs held in this instance's memory, at most. */
  publicConfigCacheEntries: number;
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
  /** Web Push with these VAPID keys; push notifications are off when unset. */
  push: VapidConfig | undefined;
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

/** The server's VAPID identity (RFC 8292). The private key is never logged. */
export type VapidConfig = { publicKey: string; privateKey: string; subject: string };
