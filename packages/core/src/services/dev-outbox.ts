import { outboxMessages } from "@cac/db";
import { desc } from "drizzle-orm";
import type { Context } from "../context";
import { isLoopbackIp } from "../domain/ip";
import { AppError } from "../errors";

/** How many of the newest messages the dev outbox shows. */
const DEV_OUTBOX_SHOWN = 50;

/**
 * The dev outbox lists what the local mailer kept: every verification and reset link, so it needs
 * no login and must never reach the network. It does not exist in production, and it answers only
 * a browser on this machine: the socket's peer is a loopback address and no proxy forwarded the
 * request (behind a local proxy the peer is loopback for everyone, and a header proves nothing).
 */
export async function devOutbox(ctx: Pick<Context, "settings" | "mailer" | "http" | "db">) {
  if (ctx.settings.production || ctx.mailer.mode !== "outbox") {
    throw new AppError("NOT_FOUND", "The dev outbox is only available in development.");
  }
  if (!isLoopbackIp(ctx.http.peerIp) || ctx.http.forwarded) {
    throw new AppError(
      "FORBIDDEN",
      "The dev outbox opens only on the machine the server runs on (http://localhost), not over the network or through a proxy.",
    );
  }
  return ctx.db
    .select({
      id: outboxMessages.id,
      to: outboxMessages.to,
      subject: outboxMessages.subject,
      text: outboxMessages.text,
      html: outboxMessages.html,
      createdAt: outboxMessages.createdAt,
    })
    .from(outboxMessages)
    .orderBy(desc(outboxMessages.createdAt))
    .limit(DEV_OUTBOX_SHOWN);
}
