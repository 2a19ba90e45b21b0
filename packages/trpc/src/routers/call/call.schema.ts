import { z } from "zod";

export const signalPayloadSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.enum(["offer", "answer"]), sdp: z.string().min(1).max(20_000) }),
  z.object({
    kind: z.literal("ice"),
    candidate: z.object({
      candidate: z.string().max(2000),
      sdpMid: z.string().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    }),
  }),
]);

/** The captcha token is added by `widgetEntryProcedure`. */
export const startCallInput = z.object({ pageUrl: z.string().max(2048).optional() });

/** The capability the widget got from call.start for one call. */
export const visitorCallInput = z.object({ sessionId: z.uuid(), token: z.string().min(20).max(200) });
