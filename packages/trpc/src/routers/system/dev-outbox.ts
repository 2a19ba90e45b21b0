import { outboxMessages } from "@cac/db";
import { desc } from "drizzle-orm";
import { AppError } from "../../errors";
import { publicProcedure } from "../../trpc";

/** The dev outbox lists what the local mailer kept. It does not exist in production. */
export const devOutboxProcedure = publicProcedure.query(async ({ ctx }) => {
  if (ctx.settings.production || ctx.mailer.mode !== "outbox") {
    throw new AppError("NOT_FOUND", "The dev outbox is only available in development.");
  }
  return ctx.db.select().from(outboxMessages).orderBy(desc(outboxMessages.createdAt)).limit(50);
});
