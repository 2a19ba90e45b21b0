import type { Clock, EmailQueue, Logger, Mailer } from "@cac/core";
import { enqueueWork } from "@cac/core";
import type { Db } from "@cac/db";

/**
 * The email queue port: a row in `email_queue`, then a wake-up of this instance's worker. The
 * wake-up waits for the next turn of the event loop: the request that queued the row goes on to
 * write its answer first, so the worker's work (which, for a signup or reset, depends on the
 * account) does not run ahead of that answer.
 */
export function createEmailQueue(db: Db, clock: Clock, wake: () => void): EmailQueue {
  return {
    async enqueue(work) {
      await enqueueWork(db, clock.now(), work);
      setImmediate(wake);
    },
  };
}

/**
 * The mailer port: `send` queues the message and returns; the worker delivers it and retries
 * until it is accepted. Email is a side effect of what the user did, never its outcome: a
 * signup, a callback request or a webhook has already been stored when its email is queued, and
 * answering with an error then would make the user retry what succeeded. So a message that cannot
 * even be queued (the database is unreachable) is logged with its cause and the action goes on.
 */
export function createQueuedMailer(queue: EmailQueue, mode: Mailer["mode"], log: Logger): Mailer {
  return {
    mode,
    async send(message) {
      try {
        await queue.enqueue({ kind: "email", payload: message });
      } catch (error) {
        log.error(
          { err: error, mailer: mode, to: message.to, subject: message.subject },
          "email could not be queued",
        );
      }
    },
  };
}
