import { HEARTBEAT_MS, touchCall, visitorCall, visitorFeed } from "@cac/core";
import { tracked } from "@trpc/server";
import { widgetProcedure } from "../../trpc";
import { lastEventIdInput } from "../events.schema";
import { visitorCallInput } from "./call.schema";

/**
 * The visitor's live view of one call (SSE). Its heartbeat is what keeps the call alive. Events
 * are tracked: a widget that lost the stream reconnects (to any instance) with the last id it
 * got, and resumes from there.
 */
export const callEventsProcedure = widgetProcedure
  .input(visitorCallInput.extend(lastEventIdInput.shape))
  .subscription(async function* ({ ctx, input, signal }) {
    const call = await visitorCall(ctx, ctx.button.id, input.sessionId, input.token);
    const beat = () => touchCall(ctx, call.id);
    await beat();
    const heartbeat = setInterval(() => {
      beat().catch((error) => ctx.log.warn({ err: error }, "call heartbeat failed"));
    }, HEARTBEAT_MS);
    try {
      for await (const entry of visitorFeed(ctx, call.id, input.lastEventId, signal)) {
        yield tracked(entry.cursor, entry.event);
      }
    } finally {
      clearInterval(heartbeat);
    }
  });
