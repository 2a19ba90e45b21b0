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

export interface Clock {
  now(): Date;
}

export type Ports = {
  db: Db;
  mailer: Mailer;
  limiter: Limiter;
  storage: Storage;
  clock: Clock;
  log: Logger;
};
