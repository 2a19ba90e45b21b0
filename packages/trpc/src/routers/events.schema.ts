import { EVENT_CURSOR } from "@cac/core";
import { text } from "@cac/core/domain";
import { z } from "zod";

/**
 * What a subscription's client sends back when it reconnects: the id of the last event it got
 * (tRPC adds it to the input from the `Last-Event-ID` header or the `lastEventId` parameter).
 */
export const lastEventIdInput = z.object({
  lastEventId: text().max(100).regex(EVENT_CURSOR, "This is not an event id this server gave.").optional(),
});
