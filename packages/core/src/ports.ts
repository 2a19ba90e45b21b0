import type { CallSession, Db } from "@cac/db";
import type { BaseLogger } from "pino";
import type Stripe from "stripe";
import type { PlanId } from "./domain/plans";

/** The logging the domain uses: pino, or Fastify's request logger (also pino). */
export type Logger = Pick<BaseLogger, "fatal" | "error" | "warn" | "info" | "debug" | "trace">;

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
};

/**
 * Sends transactional email: `send` puts the message in the email queue (a table) and returns; a
 * worker delivers it after the request was answered, through the dev outbox (the default) or
 * Resend, and retries it when delivery fails. The server's mailer never rejects: a message that
 * cannot even be queued is logged with its cause (queued-mailer.ts).
 */
export interface Mailer {
  readonly mode: "outbox" | "resend";
  send(message: MailMessage): Promise<void>;
}

/**
 * Delivers one queued message for real: into the dev outbox table, or through Resend. Only the
 * email queue's worker calls it. `id` is the queued row's, the same on every attempt, so a
 * repeated delivery is recognized (Resend's Idempotency-Key; the outbox row's id). `signal` aborts
 * it when the server shuts down. Rejects when the message was not accepted.
 */
export interface MailTransport {
  readonly mode: "outbox" | "resend";
  deliver(message: MailMessage, options: { id: string; queuedAt: Date; signal: AbortSignal }): Promise<void>;
}

/** A signup as the worker completes it: the checked input, the password already hashed. */
export type SignupRequest = {
  name: string;
  email: string;
  companyName: string;
  websiteUrl: string;
  phone: string;
  passwordHash: string;
  /** ISO time the person confirmed being 18 or older (when they signed up). */
  ageConfirmedAt: string;
  /** The account's timezone, from the browser (absent in signups queued before it was asked). */
  timezone?: string;
};

/**
 * Work for the email queue: an email to deliver, or a request whose email depends on whether the
 * address has an account (a signup: the link or an "already signed up" notice; a password reset:
 * the link or nothing). Requests are completed after the answer, so that answer costs the same
 * either way.
 */
export type QueuedWork =
  | { kind: "email"; payload: MailMessage }
  | { kind: "signup"; payload: SignupRequest }
  | { kind: "password-reset"; payload: { email: string } };

/** Stores work in the email queue and wakes this instance's worker. Rejects when it could not be stored. */
export interface EmailQueue {
  enqueue(work: QueuedWork): Promise<void>;
}

export type LimitPolicy = { points: number; durationSeconds: number };
/** A refusal says how long to wait, and how many attempts the window has counted (past the limit too). */
export type LimitResult = { allowed: true } | { allowed: false; retryAfterSeconds: number; consumed: number };

/** One limit of an ordered consume: the policy (by name) and the key it counts. */
export type LimitStep = { policyName: string; policy: LimitPolicy; key: string };
/** The outcome of an ordered consume: on a refusal, `step` is the index of the step that refused. */
export type OrderedLimitResult =
  | { allowed: true }
  | (Extract<LimitResult, { allowed: false }> & { step: number });

/** Counts attempts per key in fixed windows. In-process by default, Redis when configured. */
export interface Limiter {
  readonly mode: "memory" | "redis";
  consume(policyName: string, policy: LimitPolicy, key: string): Promise<LimitResult>;
  /**
   * Consumes one attempt of each step in order and stops at the first refusal: the refused step
   * is counted (as `consume` counts it), the steps after it are not. With Redis, all the steps
   * are one round trip.
   */
  consumeInOrder(steps: readonly LimitStep[]): Promise<OrderedLimitResult>;
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

/** One event of a channel: its id orders it among the channel's events (see event-log.ts). */
export type LoggedEvent = { id: string; message: unknown };

/**
 * Fan-out of small JSON messages between server instances, with a short log per channel, so that a
 * client that lost its stream resumes on any instance from the last event it saw. In-process by
 * default (a ring buffer per channel); Redis when configured (pubsub for the fan-out, a Stream per
 * channel for the log). A log keeps its events for EVENT_RETENTION_MS only: they hold signaling.
 */
export interface PubSub {
  readonly mode: "memory" | "redis";
  /** Appends the message to the channel's log, then fans it out; resolves to its id. */
  publish(channel: string, message: unknown): Promise<string>;
  /** Resolves once the subscription is active; the returned function ends it. */
  subscribe(channel: string, onEvent: (event: LoggedEvent) => void): Promise<() => Promise<void>>;
  /** The id of the channel's latest event still held, or FIRST_EVENT_ID when it holds none. */
  latest(channel: string): Promise<string>;
  /**
   * The channel's events after `afterId`, oldest first. `complete` is false when the log may have
   * dropped some that followed it (older than its retention, or past its length).
   */
  readAfter(channel: string, afterId: string): Promise<{ events: LoggedEvent[]; complete: boolean }>;
  /**
   * A transient notice: fanned out to the listeners of `channel` on every instance and kept nowhere
   * (no log, no id, no replay), for what a reader reads afresh when it reconnects (who is reachable).
   * Notices and logged events never share a channel, so a storm of notices evicts nothing a
   * reconnecting reader must replay.
   */
  notify(channel: string, message: unknown): Promise<void>;
  /** Resolves once listening to `channel`'s notices; the returned function ends it. */
  listen(channel: string, onMessage: (message: unknown) => void): Promise<() => Promise<void>>;
  /**
   * Resolves when messages can flow now (Redis connected and answering), after waiting briefly
   * for a reconnect; rejects within about a second otherwise. Publish and subscribe are bounded
   * the same way, so a Redis outage fails fast instead of holding requests.
   */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * When each agent's phone panel was last heard from (its heartbeats). In-process by default, Redis
 * when configured (shared by every instance): heartbeats never reach the database one by one. The
 * database keeps a coarser copy (memberships.seen_at), written at most once a minute per agent, so
 * losing this store only makes agents look away sooner, never longer.
 */
export interface Presence {
  readonly mode: "memory" | "redis";
  /** Records that these agents' panels were heard from at `at` (the caller's clock). */
  beat(userIds: readonly string[], at: Date): Promise<void>;
  /** When each agent was last heard from, in the order asked; null when not known here. */
  lastSeen(userIds: readonly string[]): Promise<Array<Date | null>>;
  /**
   * Of these agents, those whose heartbeat no instance has copied to the database in the last
   * `everyMs` (by `at`), each now claimed for that period: the caller copies them. An agent is
   * claimed at most once per period, whichever instances ask.
   */
  claimCopies(userIds: readonly string[], at: Date, everyMs: number): Promise<string[]>;
  /**
   * A phone panel's live stream of a member (account and user) opened on this instance; the
   * returned function says it closed. A member holds a live stream while one is open on any
   * instance (an instance that died stops counting within LIVE_STREAM_TTL_MS).
   */
  holdStream(member: Member): () => void;
  /** Whether each member holds a live stream on some instance now, in the order asked. */
  holdingStreams(members: readonly Member[]): Promise<boolean[]>;
  /**
   * `lastSeen` and `holdingStreams` of these members together, in the order asked, in one round
   * trip to the store: what a call start needs of every member it might ring, asked at once.
   */
  reachability(members: readonly Member[]): Promise<Array<{ seenAt: Date | null; holding: boolean }>>;
  /**
   * Calls `listener` each time a member's first live stream on this instance opened or their last
   * one closed, once that is recorded where every instance reads it (holdingStreams answers the
   * new state). Returns what stops it.
   */
  watchStreams(listener: (member: Member) => void): () => void;
  /**
   * Marks that who is reachable in the account may have changed (a panel opened or closed, a
   * switch flipped), so answers cached before (the widget's "callable now") are not reused.
   */
  bump(accountId: string): Promise<void>;
  /** The button's cached "callable now" answer, with the account's current presence version. */
  readCallable(
    buttonId: string,
    accountId: string,
  ): Promise<{ entry: CallableEntry | null; version: number }>;
  /** Keeps a "callable now" answer for `ttlMs` (shared by every instance when in Redis). Never rejects. */
  keepCallable(buttonId: string, entry: CallableEntry, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** One member of an account: presence is per membership, as a panel rings for one account. */
export type Member = { accountId: string; userId: string };

/** A button's "callable now" answer, when it was made (ms) and from which presence version. */
export type CallableEntry = { callable: boolean; at: number; version: number };

/**
 * A refusal says why, for the logs (`reason`), and what kind it is, so the person can be told
 * what to do: solve the check, solve it again (expired or spent), or retry later (unreachable).
 */
export type CaptchaResult =
  | { ok: true }
  | { ok: false; kind: "missing" | "rejected" | "expired" | "mismatch" | "unavailable"; reason: string };

export type CaptchaExpectation = {
  /** The person's IP, sent along as siteverify's `remoteip`. */
  ip: string;
  /** The widget's `action`: "signup", "contact" or "call". */
  action: string;
  /** Hosts the challenge may have been solved on (the portal's, or the button's page). */
  hostnames: readonly string[];
};

/** Bot check on public forms and call starts. "off" requires nothing (the default). */
export interface Captcha {
  readonly mode: "off" | "turnstile";
  /** The public site key the browser widget needs, when on. */
  readonly siteKey: string | null;
  verify(token: string | undefined, expect: CaptchaExpectation): Promise<CaptchaResult>;
}

/** Phone calls through Twilio Voice, when configured. */
export interface TwilioVoice {
  readonly mode: "twilio";
  readonly callerId: string;
  /** An Access Token for the browser Voice SDK; its identity is the call session id. */
  createAccessToken(identity: string, ttlSeconds: number): string;
  /** An Access Token that lets a portal agent's Voice SDK receive the calls `<Client>` rings. */
  createAgentAccessToken(identity: string, ttlSeconds: number): string;
  /** Checks X-Twilio-Signature for a form-encoded webhook at its public URL. */
  validateWebhook(signature: string | undefined, url: string, params: Record<string, string>): boolean;
}

/** How calls are carried: browser-to-browser WebRTC (the default), or Twilio Voice. */
export type Voice = { readonly mode: "webrtc" } | TwilioVoice;

export type PaidPlanId = Exclude<PlanId, "free">;

export type CheckoutSessionRequest = {
  plan: PaidPlanId;
  /** Becomes the session's client_reference_id and the subscription's metadata.accountId. */
  accountId: string;
  /** The Stripe customer of the account when it has one; otherwise Checkout creates one from the email. */
  customerId: string | null;
  customerEmail: string;
  successUrl: string;
  cancelUrl: string;
};

/** Subscriptions through Stripe Checkout, the Customer Portal and signed webhooks, when configured. */
export interface StripeBilling {
  readonly mode: "stripe";
  /** The Stripe price id of each paid plan (from config). */
  readonly prices: Readonly<Record<PaidPlanId, string>>;
  createCheckoutSession(request: CheckoutSessionRequest): Promise<{ id: string; url: string }>;
  createPortalSession(request: {
    customerId: string;
    returnUrl: string;
  }): Promise<{ id: string; url: string }>;
  /** Verifies the Stripe-Signature header over the raw body and parses the event; throws when invalid. */
  constructWebhookEvent(rawBody: Buffer | string, signature: string): Stripe.Event;
}

/** "off" (no STRIPE_SECRET_KEY): nothing is sold, and every account keeps the Free plan's limits. */
export type Billing = { readonly mode: "off" } | StripeBilling;

/**
 * The widget's public config of one button, ready to serve: its body serialized once, with what a
 * request still checks (the page's Origin against the allowed domains). Only buttons that are on,
 * of active accounts with a confirmed owner, are kept; buttons in test mode are read afresh.
 */
export type PublicConfigEntry = {
  /** The button's version: its `updated_at`, in ms. */
  version: number;
  /** The start of the hour the body's open windows begin at (ms): the entry serves that hour only. */
  hour: number;
  /** What else the body was made from (the API origin, the captcha site key). */
  context: string;
  allowedDomains: string[];
  /** The body, serialized. */
  json: string;
  etag: string;
};

/**
 * Where public configs are kept, so that serving one costs no database work: a bounded LRU in each
 * instance, in front of a store every instance reaches (Redis when configured, else PostgreSQL).
 * `null` stands for "no live button has this id", kept in the instance only, briefly.
 */
export interface PublicConfigCache {
  /** Where the shared copies live. */
  readonly mode: "redis" | "postgres";
  /** This instance's copy, at no cost; undefined when it holds none. */
  peek(publicId: string): PublicConfigEntry | null | undefined;
  /** The shared copy, kept in this instance too when found. Undefined when none (or unreachable). */
  load(publicId: string): Promise<PublicConfigEntry | undefined>;
  /** Keeps an entry here and in the shared store (a null one here only). Never rejects. */
  keep(publicId: string, entry: PublicConfigEntry | null): Promise<void>;
  /**
   * Drops these buttons' entries everywhere: the shared store, this instance, and every other
   * instance (through the pubsub). Called after a change to a button is stored. Never rejects.
   */
  forget(publicIds: string[]): Promise<void>;
  /**
   * Drops the entries of these buttons made from another version than the one given (and "no live
   * button" ones), here and in the shared store: the safety net for changes that did not call
   * `forget`, or whose message an instance missed. Never rejects.
   */
  expire(changes: Array<{ publicId: string; version: number }>): Promise<void>;
}

/** One browser's Web Push subscription, as its PushManager gave it (keys base64url). */
export type PushTarget = { endpoint: string; keys: { p256dh: string; auth: string } };

export type PushOptions = {
  /** How long the push service keeps the message for a device that is offline. */
  ttlSeconds: number;
  urgency: "very-low" | "low" | "normal" | "high";
};

/**
 * What the push service answered. `gone`: the subscription no longer exists (404 or 410), so it is
 * deleted; any other failure leaves it (a push service's outage is not the device's).
 */
export type PushOutcome = { ok: true } | { ok: false; gone: boolean; status: number | null; reason: string };

/**
 * Web Push (RFC 8030, payloads encrypted per RFC 8291, VAPID per RFC 8292) when VAPID keys are
 * configured; "off" otherwise, which sends nothing and says so. `send` never rejects.
 */
export interface PushSender {
  readonly mode: "off" | "web-push";
  /** The VAPID public key the browser subscribes with (base64url); null when off. */
  readonly publicKey: string | null;
  send(target: PushTarget, payload: string, options: PushOptions): Promise<PushOutcome>;
}

export interface Clock {
  now(): Date;
}

/**
 * Runs once per call, right after it ends (on the transition, never twice), wherever it ended: the
 * server emails the owners about missed calls. Never rejects.
 */
export type CallEndedHook = (call: CallSession) => Promise<void>;

export type Ports = {
  db: Db;
  mailer: Mailer;
  emailQueue: EmailQueue;
  limiter: Limiter;
  storage: Storage;
  pubsub: PubSub;
  presence: Presence;
  captcha: Captcha;
  voice: Voice;
  billing: Billing;
  clock: Clock;
  log: Logger;
  publicConfig: PublicConfigCache;
  onCallEnded: CallEndedHook;
  push: PushSender;
};
