import type { Db } from "@cac/db";
import { outboxMessages } from "@cac/db";
import type { Logger, Mailer } from "@cac/trpc";

/** Default mailer: nothing leaves the machine; messages are kept for the portal's dev outbox. */
export function createOutboxMailer(db: Db, log: Logger): Mailer {
  return {
    mode: "outbox",
    async send(message) {
      await db.insert(outboxMessages).values(message);
      log.info({ to: message.to, subject: message.subject }, "email kept in the dev outbox");
    },
  };
}
