import type { Logger, MailTransport } from "@cac/core";
import type { Db } from "@cac/db";
import { outboxMessages } from "@cac/db";

/**
 * Default delivery: nothing leaves the machine; messages are kept for the portal's dev outbox.
 * The row takes the queued message's id, so delivering it again (a retry after a lost
 * acknowledgement) keeps one copy; and its time, so the outbox lists messages as they were sent.
 */
export function createOutboxTransport(db: Db, log: Logger): MailTransport {
  return {
    mode: "outbox",
    async deliver(message, { id, queuedAt }) {
      await db
        .insert(outboxMessages)
        .values({ id, ...message, createdAt: queuedAt })
        .onConflictDoNothing({ target: outboxMessages.id });
      log.info({ to: message.to, subject: message.subject }, "email kept in the dev outbox");
    },
  };
}
