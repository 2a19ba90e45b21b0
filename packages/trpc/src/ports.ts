import type { Db } from "@cac/db";
import type { BaseLogger } from "pino";

/** The logging the domain uses: pino, or Fastify's request logger (also pino). */
export type Logger = Pick<BaseLogger, "fatal" | "error" | "warn" | "info" | "debug" | "trace">;

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
};

/** Sends transactional email. The default adapter keeps messages in the dev outbox. */
export interface Mailer {
  readonly mode: "outbox" | "resend";
  send(message: MailMessage): Promise<void>;
}

export type LimitPolicy = { points: number; durationSeconds: number };
export type LimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts attempts per key in fixed windows. In-process by default, Redis when configured. */
export interface Limiter {
  readonly mode: "memory" | "redis";
  consume(policyName: string, policy: LimitPolicy, key: string): Promise<LimitResult>;
  reset(policyName: string, policy: LimitPolicy, key: string): Promise<void>;
  close(): Promise<void>;
}

/** Stores uploaded files by key. Local disk by default, S3-compatible when configured. */
export interface Storage {
  readonly mode: "local" | "s3";
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<{ body: Buffer; contentType: string } | null>;
  delete(key: string): Promise<void>;
}

/** Fan-out of small JSON messages between server instances (in-process, or Redis when configured). */
export interface PubSub {
  readonly mode: "memory" | "redis";
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is active; the returned function ends it. */
  subscribe(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export type CaptchaResult = { ok: true } | { ok: false; reason: string };

/** Bot check on public forms and call starts. "off" requires nothing (the default). */
export interface Captcha {
  readonly mode: "off" | "turnstile";
  /** The public site key the browser widget needs, when on. */
  readonly siteKey: string | null;
  verify(token: string | undefined, expect: { ip: string; action: string }): Promise<CaptchaResult>;
}

/** Phone calls through Twilio Voice, when configured. */
export interface TwilioVoice {
  readonly mode: "twilio";
  readonly callerId: string;
  /** An Access Token for the browser Voice SDK; its identity is the call session id. */
  createAccessToken(identity: string, ttlSeconds: number): string;
  /** Checks X-Twilio-Signature for a form-encoded webhook at its public URL. */
  validateWebhook(signature: string | undefined, url: string, params: Record<string, string>): boolean;
}

/** How calls are carried: browser-to-browser WebRTC (the default), or Twilio Voice. */
export type Voice = { readonly mode: "webrtc" } | TwilioVoice;

export interface Clock {
  now(): Date;
}

export type Ports = {
  db: Db;
  mailer: Mailer;
  limiter: Limiter;
  storage: Storage;
  pubsub: PubSub;
  captcha: Captcha;
  voice: Voice;
  clock: Clock;
  log: Logger;
};
