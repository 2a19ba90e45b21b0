import { agentFeed, HEARTBEAT_MS, touchAgent } from "@cac/core";
import { tracked } from "@trpc/server";
import { authedProcedure } from "../../trpc";
import { lastEventIdInput } from "../events.schema";

/**
 * The portal phone panel's live feed (SSE): rings for the account, and signals for calls this
 * agent answered. While it is open the agent counts as present. Events are tracked, so a panel
 * that lost the stream resumes from the last one it got, on whichever instance it reaches.
 */
export const phoneEventsProcedure = authedProcedure
  .input(lastEventIdInput.optional())
  .subscription(async function* ({ ctx, input, signal }) {
    await touchAgent(ctx, ctx.user.id);
    const heartbeat = setInterval(() => {
      touchAgent(ctx, ctx.user.id).catch((error) => ctx.log.warn({ err: error }, "agent heartbeat failed"));
    }, HEARTBEAT_MS);
    try {
      for await (const entry of agentFeed(ctx, ctx.account.id, ctx.user.id, input?.lastEventId, signal)) {
        yield tracked(entry.cursor, entry.event);
      }
    } finally {
      clearInterval(heartbeat);
    }
  });
