import type { Clock, Logger, MailMessage, MailTransport, Settings } from "@cac/core";
import { type ClaimedWork, claimWork, completeRequest, markFailed, markSent, releaseClaim } from "@cac/core";
import type { Db } from "@cac/db";

export type EmailWorkerDeps = {
  db: Db;
  clock: Clock;
  log: Logger;
  transport: MailTransport;
  settings: Pick<Settings, "publicUrl">;
};

export type EmailWorkerOptions = {
  /** Attempts before a message is given up on (EMAIL_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Rows this instance works on at once. */
  concurrency?: number;
  /** A safety net: idle, the worker looks for due rows this often (retries, other instances' rows). */
  pollMs?: number;
  /** On stop, how long deliveries in flight may take to finish before they are aborted and released. */
  graceMs?: number;
};

export type EmailWorker = {
  /** Starts the worker's loops (the server does it once it is ready). */
  start(): void;
  /** A hint that a row was just queued here: an idle loop looks at once instead of at its next poll. */
  wake(): void;
  /**
   * Works until nothing is due and nothing is in flight here, whether or not the loops run
   * (tests, and the jobs command, which delivers what its run queued before it exits).
   */
  drain(): Promise<void>;
  /** Stops claiming, lets deliveries in flight finish (or aborts and releases them), then returns. */
  stop(): Promise<void>;
};

const DEFAULT_CONCURRENCY = 2;
const DEFAULT_POLL_MS = 5_000;
const DEFAULT_GRACE_MS = 2_000;

/**
 * Delivers the email queue (packages/core/src/services/email-queue.ts). Every instance runs one;
 * rows are claimed atomically, so each is worked on by one worker at a time. A delivery that
 * fails is retried with backoff, up to `maxAttempts`, with its cause logged and kept in the row.
 */
export function createEmailWorker(deps: EmailWorkerDeps, options: EmailWorkerOptions): EmailWorker {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const { log } = deps;
  let loops: Promise<void>[] = [];
  let stopping = false;
  // Loops waiting for work, and a wake-up that came while none was waiting.
  const sleepers = new Set<() => void>();
  let wokenEarly = false;
  // The loops' claims and the work on them; and those of `drain`.
  const inFlight = new Set<Promise<void>>();
  const draining = new Set<Promise<void>>();
  const deliveries = new Set<AbortController>();

  function wake() {
    const [sleeper] = sleepers;
    if (sleeper) sleeper();
    else wokenEarly = true;
  }

  function sleep(ms: number): Promise<void> {
    if (wokenEarly) {
      wokenEarly = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });
  }

  async function deliver(claim: ClaimedWork) {
    const message = claim.payload as MailMessage;
    const controller = new AbortController();
    deliveries.add(controller);
    try {
      await deps.transport.deliver(message, {
        id: claim.id,
        queuedAt: claim.createdAt,
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.aborted) {
        // Stopped mid-send: another worker sends it (the same id, so Resend sends it once).
        await releaseClaim(deps.db, claim, deps.clock.now());
        log.info({ emailId: claim.id }, "email delivery interrupted by shutdown; released to the queue");
        return;
      }
      await failed(claim, error, { to: message.to, subject: message.subject });
      return;
    } finally {
      deliveries.delete(controller);
    }
    if (!(await markSent(deps.db, claim, deps.clock.now()))) {
      log.warn({ emailId: claim.id }, "email sent after its claim ran out; another worker may send it again");
    }
  }

  async function failed(claim: ClaimedWork, error: unknown, about: Record<string, unknown>) {
    const result = await markFailed(deps.db, claim, deps.clock.now(), error, options.maxAttempts);
    const fields = { err: error, emailId: claim.id, kind: claim.kind, attempt: claim.attempts, ...about };
    if (result.outcome === "retry")
      log.warn({ ...fields, retryAt: result.at }, "email delivery failed; will retry");
    else if (result.outcome === "failed")
      log.error(fields, `email given up after ${claim.attempts} attempts; the cause is kept in email_queue`);
    else log.warn(fields, "email delivery failed after its claim ran out");
  }

  async function work(claim: ClaimedWork) {
    try {
      if (claim.kind === "email") {
        await deliver(claim);
        return;
      }
      try {
        const queued = await completeRequest(deps, claim);
        // The emails it queued are due now.
        if (queued) wake();
      } catch (error) {
        await failed(claim, error, {});
      }
    } catch (error) {
      // The database failed while recording the outcome: the row comes back when its lease ends.
      log.error({ err: error, emailId: claim.id }, "email queue: could not record an outcome");
    }
  }

  /** Claims one due row and works on it; false when nothing was due. */
  async function claimAndWork(): Promise<boolean> {
    const claim = await claimWork(deps.db, deps.clock.now());
    if (!claim) return false;
    await work(claim);
    return true;
  }

  /**
   * `claimAndWork`, kept in `runs` from the claim on (settled, never rejecting), so `drain` waits
   * for a row a loop is claiming as well as one it works on, and `stop` for both.
   */
  function tracked(runs: Set<Promise<void>>): Promise<boolean> {
    const run = claimAndWork();
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    runs.add(settled);
    void settled.then(() => runs.delete(settled));
    return run;
  }

  async function loop() {
    while (!stopping) {
      let worked = false;
      try {
        worked = await tracked(inFlight);
      } catch (error) {
        log.warn({ err: error }, "email queue: could not look for work; trying again later");
      }
      if (stopping) return;
      // More may be due: let another loop help while this one goes on.
      if (worked) wake();
      else await sleep(pollMs);
    }
  }

  return {
    start() {
      if (loops.length || stopping) return;
      loops = Array.from({ length: concurrency }, () => loop());
    },
    wake,
    async drain() {
      for (;;) {
        await Promise.all([...inFlight]);
        if (await tracked(draining)) continue;
        // Nothing was due: done, unless a loop claimed something meanwhile.
        if (inFlight.size === 0) return;
      }
    },
    async stop() {
      stopping = true;
      for (const sleeper of [...sleepers]) sleeper();
      const settled = Promise.allSettled([...loops, ...inFlight, ...draining]);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      });
      await Promise.race([settled, grace]);
      clearTimeout(timer);
      for (const controller of deliveries) controller.abort(new Error("the server is shutting down"));
      await settled;
    },
  };
}
