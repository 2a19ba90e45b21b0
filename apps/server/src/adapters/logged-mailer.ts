import type { Logger, Mailer } from "@cac/trpc";

/**
 * Email is a side effect of what the user did, never its outcome: a signup, a password reset
 * request or a visitor's callback request has already been stored when its email goes out, and
 * answering with an error then would make the user retry what succeeded (and, for signup and
 * reset, tell apart emails that have an account). So a failed send is logged with its cause and
 * the action goes on.
 */
export function logDeliveryFailures(mailer: Mailer, log: Logger): Mailer {
  return {
    mode: mailer.mode,
    async send(message) {
      try {
        await mailer.send(message);
      } catch (error) {
        log.error(
          { err: error, mailer: mailer.mode, to: message.to, subject: message.subject },
          "email could not be sent",
        );
      }
    },
  };
}
