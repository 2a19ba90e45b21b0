import { text, visitorContextSchema, visitorLanguageSchema } from "@cac/core/domain";
import { z } from "zod";
import { iceConfigOutput } from "../output.schema";

export const signalPayloadSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.enum(["offer", "answer"]),
    sdp: text({ allowCarriageReturn: true }).min(1).max(20_000),
  }),
  z.object({
    kind: z.literal("ice"),
    candidate: z.object({
      candidate: text().max(2000),
      sdpMid: text().max(64).nullable().optional(),
      sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
    }),
  }),
]);

/** The captcha token is added by `widgetEntryProcedure`. */
export const startCallInput = z.object({
  pageUrl: text().max(2048).optional(),
  language: visitorLanguageSchema.optional(),
  // Who is calling (when the button collects it): stored with the call, shown while it rings.
  context: visitorContextSchema.optional(),
});

/** The capability the widget got from call.start for one call. */
export const visitorCallInput = z.object({ sessionId: z.uuid(), token: text().min(20).max(200) });

/**
 * What `calls.start` gives the widget: the call's capability (`sessionId` and `token`), and how to
 * reach the business, by WebRTC (ICE servers, TURN credentials) or through Twilio's Voice SDK.
 * Plain JSON only: the widget reads superjson's `json` and never its `meta`.
 */
export const startCallOutput = z.discriminatedUnion("transport", [
  z.object({
    transport: z.literal("webrtc"),
    sessionId: z.string(),
    token: z.string(),
    ringTimeoutSeconds: z.number(),
    ...iceConfigOutput.shape,
  }),
  z.object({
    transport: z.literal("twilio"),
    sessionId: z.string(),
    token: z.string(),
    accessToken: z.string(),
    maxCallSeconds: z.number(),
  }),
]);
