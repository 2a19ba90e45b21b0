import type { Agent } from "node:https";
import { join } from "node:path";
import {
  announceCallEnded,
  CALLABLE_MAX_AGE_SECONDS,
  type Clock,
  defaultLimits,
  type Limiter,
  type Limits,
  notifyMissedCall,
  type Ports,
  type PubSub,
  publicConfigSweeper,
} from "@cac/core";
import { type AbuseThresholds, abuseThresholdsWith } from "@cac/core/domain";
import { createDb, type DbHandle } from "@cac/db";
import { type AppRouter, appErrorOf, appRouter, serializeEvent, sseOptions } from "@cac/trpc";
import cookie from "@fastify/cookie";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import { AccessLog } from "./access-log";
import { captchaOff } from "./adapters/captcha-off";
import { systemClock } from "./adapters/clock";
import { createLimiter } from "./adapters/limiter";
import { createLocalStorage } from "./adapters/local-storage";
import { createOriginLog, type OriginLog } from "./adapters/origin-log";
import { createOutboxTransport } from "./adapters/outbox-transport";
import { createMemoryPresence, createRedisPresence } from "./adapters/presence";
import { createPublicConfigCache, type PublicConfigCacheAdapter } from "./adapters/public-config-cache";
import { createPostgresConfigStore } from "./adapters/public-config-postgres";
import { createRedisConfigStore } from "./adapters/public-config-redis";
import { createMemoryPubSub, createRedisPubSub } from "./adapters/pubsub";
import { pushOff } from "./adapters/push-off";
import { createEmailQueue, createQueuedMailer } from "./adapters/queued-mailer";
import { createMemorySlots, createRedisSlots } from "./adapters/stream-slots";
import { createTurnstileCaptcha } from "./adapters/turnstile-captcha";
import { trustFunction } from "./client-ip";
import type { AppConfig } from "./config";
import { createRequestContext } from "./context";
import { deploymentWarnings } from "./deployment-warnings";
import { type Drain, registerDrain } from "./drain";
import { registerHealth } from "./health";
import { startCallSweeper } from "./jobs/call-sweeper";
import { startCallbackEmails } from "./jobs/callback-emails";
import { startDailySummaries } from "./jobs/daily-summary";
import { createEmailWorker, type EmailWorker } from "./jobs/email-worker";
import { runEvery } from "./jobs/every";
import { startRetentionJobs } from "./jobs/runner";
import { startUsageReconcile } from "./jobs/usage-reconcile";
import { createLiveHub } from "./live/hub";
import { registerPhoneEvents } from "./live/phone-events";
import { logSerializers } from "./log-serializers";
import { defaultWebDist, registerPortal } from "./portal-static";
import { relayMode } from "./relay-mode";
import { registerAccountExport } from "./routes/account-export";
import { registerCallExport } from "./routes/call-export";
import { loadPrivacyPage, registerPrivacyPage } from "./routes/privacy";
import { registerStripeWebhook } from "./routes/stripe-webhook";
import { registerTryPage } from "./routes/try-page";
import { registerTwilioWebhooks } from "./routes/twilio-webhooks";
import { registerUploads } from "./routes/uploads";
import { registerWidgetConfig } from "./routes/widget-config";
import { registerWidgetCors } from "./routes/widget-cors";
import { registerSecurityHeaders } from "./security-headers";
import { registerStreamLimits } from "./stream-limits";
import { registerWidget } from "./widget-static";

/** How often each instance sweeps its public configs for changes made without forgetting them. */
const PUBLIC_CONFIG_SWEEP_MS = 5000;

export type BuildOptions = {
  /** Use this database instead of opening one from config (tests pass a fresh one). */
  db?: DbHandle;
  clock?: Clock;
  limits?: Partial<Limits>;
  /** Overrides of the automatic abuse flagging's thresholds (tests use small counts). */
  abuseThresholds?: Partial<AbuseThresholds>;
  /** Use this limiter instead of the one built from config (closed with the app). */
  limiter?: Limiter;
  /** Use this pubsub instead of the one built from config (closed with the app). */
  pubsub?: PubSub;
  /** Prefix of the limiter's keys (default REDIS_KEY_PREFIX); tests use a unique one per suite. */
  limiterKeyPrefix?: string;
  /** Prefix of pubsub channels (default: the limiter's); instances of one deployment share it. */
  pubsubKeyPrefix?: string;
  /**
   * Background jobs (call sweeper, retention, callback emails, the public config sweep) run unless
   * turned off; tests run them by hand.
   */
  jobs?: boolean;
  /** Where log lines go instead of stdout (tests read them). */
  logStream?: { write(line: string): void };
  /**
   * The email queue's worker runs once the server is ready unless turned off (the jobs command;
   * tests of a stopped worker), in which case `emailWorker.drain()` delivers by hand.
   */
  emailWorker?: boolean;
  /** The HTTPS agent push requests go through (tests: one that trusts a local push service). */
  pushAgent?: Agent;
};

export type BuiltApp = {
  app: FastifyInstance;
  ports: Ports;
  db: DbHandle;
  emailWorker: EmailWorker;
  /** The first step of a graceful stop (main.ts): stop taking new work, then `app.close()`. */
  drain: Drain;
  /** `ports.publicConfig`, with what tests look into (how many entries this instance holds). */
  publicConfig: PublicConfigCacheAdapter;
  /** The install status's origins counted in memory; tests flush them by hand. */
  originLog: OriginLog;
};

/** Builds the whole server without listening, so tests can start it on port 0. */
export async function buildApp(config: AppConfig, options: BuildOptions = {}): Promise<BuiltApp> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      redact: ["req.headers.cookie", "req.headers.authorization", 'res.headers["set-cookie"]'],
      serializers: logSerializers,
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    // One access line per request instead of two, none at info for the public hot paths.
    logController: new AccessLog(),
    trustProxy: trustFunction(config.trustProxy),
    routerOptions: { maxParamLength: 5000 },
    bodyLimit: 1024 * 1024,
  });

  for (const warning of deploymentWarnings(config)) app.log.warn(warning);
  // Read before anything is opened: an unreadable policy file stops the start with nothing to close.
  const privacyPage = loadPrivacyPage(config.privacyPolicyFile);
  const db = options.db ?? (await createDb({ url: config.databaseUrl, dataDir: join(config.dataDir, "pg") }));
  const ownsDb = !options.db;
  const limiter =
    options.limiter ??
    createLimiter({
      redisUrl: config.redisUrl,
      log: app.log,
      keyPrefix: options.limiterKeyPrefix ?? config.redisKeyPrefix,
    });
  const clock = options.clock ?? systemClock;
  // Email goes through a queue in the database; its worker delivers through the real transport.
  const transport = config.email.resend
    ? (await import("./adapters/resend-transport")).createResendTransport({
        ...config.email.resend,
        from: config.email.from,
      })
    : createOutboxTransport(db.db, app.log);
  const emailWorker = createEmailWorker(
    { db: db.db, clock, log: app.log, transport, settings: { publicUrl: config.publicUrl } },
    { maxAttempts: config.email.maxAttempts },
  );
  const emailQueue = createEmailQueue(db.db, clock, emailWorker.wake);
  // Instances of one deployment share one prefix: live events, presence and the configs' keys.
  const sharedPrefix = options.pubsubKeyPrefix ?? options.limiterKeyPrefix ?? config.redisKeyPrefix;
  const pubsub =
    options.pubsub ??
    (config.redisUrl ? createRedisPubSub(config.redisUrl, app.log, sharedPrefix) : createMemoryPubSub());
  const publicConfig = createPublicConfigCache({
    store: config.redisUrl
      ? createRedisConfigStore(config.redisUrl, app.log, sharedPrefix)
      : createPostgresConfigStore(db.db),
    pubsub,
    log: app.log,
    maxEntries: config.publicConfigCacheEntries,
  });
  const ports: Ports = {
    db: db.db,
    clock,
    log: app.log,
    limiter,
    emailQueue,
    mailer: createQueuedMailer(emailQueue, transport.mode, app.log),
    // Third-party SDKs load only when configured: unused, they cost tens of MB of memory.
    storage: config.s3
      ? (await import("./adapters/s3-storage")).createS3Storage(config.s3)
      : createLocalStorage(join(config.dataDir, "uploads")),
    pubsub,
    presence: config.redisUrl
      ? createRedisPresence(config.redisUrl, app.log, sharedPrefix)
      : createMemoryPresence(),
    publicConfig,
    captcha: config.turnstile ? createTurnstileCaptcha(config.turnstile, app.log) : captchaOff,
    billing: config.stripe
      ? (await import("./adapters/stripe-billing")).createStripeBilling(config.stripe)
      : { mode: "off" },
    voice: config.twilio
      ? (await import("./adapters/twilio-voice")).createTwilioVoice(config.twilio)
      : { mode: "webrtc" },
    push: config.push
      ? (await import("./adapters/web-push")).createWebPush(
          config.push,
          options.pushAgent ? { agent: options.pushAgent } : {},
        )
      : pushOff,
    // Runs after the call's end is stored, by then `ports` and `settings` are both set.
    onCallEnded: async (call) => {
      announceCallEnded(ports, call);
      await notifyMissedCall(ports, settings, call);
    },
  };
  const settings = {
    publicUrl: config.publicUrl,
    production: config.production,
    operatorEmails: config.operatorEmails,
    jobs: config.jobs,
    modes: {
      database: db.kind === "pglite" ? "embedded (PGlite)" : "PostgreSQL",
      limiter: limiter.mode === "redis" ? "Redis" : "in-process",
      mailer: ports.mailer.mode === "outbox" ? "dev outbox (no email leaves this machine)" : "Resend",
      storage: ports.storage.mode === "s3" ? "S3-compatible" : "local disk",
      voice: ports.voice.mode === "twilio" ? "Twilio Voice" : "WebRTC (answered in the portal)",
      pubsub: ports.pubsub.mode === "redis" ? "Redis" : "in-process",
      presence: ports.presence.mode === "redis" ? "Redis" : "in-process",
      captcha: ports.captcha.mode === "off" ? "off" : "Cloudflare Turnstile",
      billing: ports.billing.mode === "stripe" ? "Stripe" : "off (every account has the Free plan's limits)",
      analytics: config.posthog ? "PostHog (anonymized: no IPs, emails or names)" : "off",
      turn: relayMode(config.calls),
      push: ports.push.mode === "web-push" ? "Web Push (VAPID)" : "off (no VAPID keys)",
    },
    calls: config.calls,
    abuse: abuseThresholdsWith(options.abuseThresholds),
    contactInbox: config.contactInbox,
    analytics: config.posthog
      ? { posthogKey: config.posthog.key, posthogHost: config.posthog.host.href.replace(/\/$/, "") }
      : undefined,
  };
  const limits: Limits = { ...defaultLimits, ...options.limits };
  // Live streams are counted where the pubsub is shared: every instance of the deployment.
  const streamSlots = config.redisUrl
    ? createRedisSlots(config.redisUrl, app.log, options.pubsubKeyPrefix ?? options.limiterKeyPrefix)
    : createMemorySlots();

  // Jobs start once the server is ready, which main.ts reaches only after the migrations ran.
  let sweeper: ReturnType<typeof startCallSweeper> | null = null;
  let retention: ReturnType<typeof startRetentionJobs> | null = null;
  let callbackEmails: ReturnType<typeof startCallbackEmails> | null = null;
  let dailySummaries: ReturnType<typeof startDailySummaries> | null = null;
  let usageReconcile: ReturnType<typeof startUsageReconcile> | null = null;
  let configSweep: ReturnType<typeof runEvery> | null = null;
  const originLog = createOriginLog(ports);
  if (options.jobs !== false) {
    app.addHook("onReady", async () => {
      originLog.start();
      sweeper = startCallSweeper(ports, config.calls.ringTimeoutSeconds);
      retention = startRetentionJobs(ports, config.jobs.intervalSeconds);
      callbackEmails = startCallbackEmails(ports, settings);
      dailySummaries = startDailySummaries(ports, settings);
      usageReconcile = startUsageReconcile(ports);
      const sweepConfigs = publicConfigSweeper(ports);
      configSweep = runEvery(PUBLIC_CONFIG_SWEEP_MS, sweepConfigs, app.log, "public config sweep");
    });
  }
  // Other instances' edits reach this one's public config cache through the pubsub.
  app.addHook("onReady", async () => {
    await publicConfig.listen();
  });
  // Shutting down (SIGTERM): no new work is taken, live streams end (their clients reconnect to
  // another instance), and each connection closes once its response is done (see drain.ts).
  const drain = registerDrain(app);
  let phoneEvents: ReturnType<typeof registerPhoneEvents> | null = null;
  if (options.emailWorker !== false) {
    app.addHook("onReady", async () => {
      emailWorker.start();
    });
  }
  app.addHook("onClose", async () => {
    await sweeper?.stop();
    await callbackEmails?.stop();
    await dailySummaries?.stop();
    await retention?.stop();
    await usageReconcile?.stop();
    // Before the database closes: a delivery in flight finishes, or goes back to the queue.
    await emailWorker.stop();
    await phoneEvents?.close();
    await configSweep?.stop();
    await originLog.close();
    await publicConfig.close();
    await ports.pubsub.close();
    await ports.presence.close();
    await streamSlots.close();
    await limiter.close();
    if (ownsDb) await db.close();
  });

  await app.register(cookie);
  // Before anything a stream would cost (tRPC, the session's lookup): refused past its limits.
  registerStreamLimits(app, streamSlots, config.streams);
  // The portal may send anonymized analytics straight to PostHog, and only there.
  registerSecurityHeaders(app, config.production, {
    connectSrc: config.posthog ? [config.posthog.host.origin] : [],
    turnstile: ports.captcha.mode === "turnstile",
    twilio: ports.voice.mode === "twilio",
  });
  await registerHealth(app, db, ports.pubsub, drain);
  // Before the portal, whose fallback would otherwise answer /privacy with the SPA.
  registerPrivacyPage(app, privacyPage);
  await registerWidgetConfig(app, ports, settings, limits, originLog);
  await registerUploads(app, ports, settings, limits);
  await registerStripeWebhook(app, ports, settings);
  registerCallExport(app, ports, settings, limits);
  registerAccountExport(app, ports, settings, limits);
  registerTryPage(app, ports, settings, limits);
  registerWidgetCors(app);
  await registerTwilioWebhooks(app, ports, settings);

  const trpcOptions = {
    router: appRouter,
    createContext: ({ req, res }) => createRequestContext(ports, settings, limits, req, res, drain.signal),
    onError({ error, path }) {
      if (error.code === "INTERNAL_SERVER_ERROR")
        app.log.error({ err: error.cause ?? error, path }, "procedure failed");
    },
    responseMeta({ errors, paths, type }) {
      const retryAfter = errors
        .map((error) => appErrorOf(error)?.retryAfterSeconds)
        .find((value) => value !== undefined);
      if (retryAfter) return { headers: { "Retry-After": String(retryAfter) } };
      // The widget's "callable now" answer is kept by the browser as long as by the server, no
      // longer: it is at most 10 s old when read (services/calls/callable.ts).
      if (errors.length === 0 && type === "query" && paths?.length === 1 && paths[0] === "widget.callable") {
        return { headers: { "Cache-Control": `public, max-age=${CALLABLE_MAX_AGE_SECONDS}` } };
      }
      return {};
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>["trpcOptions"];
  // The phone panels' stream, served by the server itself (live/phone-events.ts), tRPC otherwise.
  const hub = createLiveHub(ports.pubsub, app.log, {
    serialize: serializeEvent,
    pingMs: sseOptions.ping.intervalMs,
  });
  phoneEvents = registerPhoneEvents(app, { ports, settings, limits, drain, hub, trpcOptions });
  await app.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions });

  await registerWidget(app);
  await registerPortal(app, config.webDistDir ?? defaultWebDist);
  return { app, ports, db, emailWorker, drain, publicConfig, originLog };
}
