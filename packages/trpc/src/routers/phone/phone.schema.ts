import { weeklyHoursSchema } from "@cac/core/domain";
import { z } from "zod";
import { signalPayloadSchema } from "../call/call.schema";
import { iceConfigOutput } from "../output.schema";

export const sessionIdInput = z.object({ sessionId: z.uuid("This call does not exist.") });
/** A call opened from a push notification (its id from the notification's link). */
export const callIdInput = z.object({ callId: z.uuid("This call does not exist.") });

/** Where that call stands: still ringing (for this member?), answered (by whom), or over. */
export const callStateOutput = z.object({
  state: z.enum(["ringing", "answered", "ended"]),
  answeredBy: z.string().nullable(),
  ringsYou: z.boolean(),
});

export const agentSignalInput = sessionIdInput.extend({ payload: signalPayloadSchema });
export const availabilityInput = z.object({ available: z.boolean() });

export const availabilityOutput = z.object({ available: z.boolean() });

const weeklyHoursOutput = z.array(z.array(z.object({ start: z.number(), end: z.number() })));

/** A member's own working hours (checked as a button's), or null to let the switch alone decide. */
export const memberHoursInput = z.object({ hours: weeklyHoursSchema.nullable() });
export const memberHoursOutput = z.object({ hours: weeklyHoursOutput.nullable(), timezone: z.string() });

/** The switch, whether calls can reach this member now (switch, hours, an open panel), and hours. */
export const myAvailabilityOutput = memberHoursOutput.extend({
  available: z.boolean(),
  reachable: z.boolean(),
});

/** The answered call, its ICE servers (with this call's TURN credential) and the plan's time limit. */
export const answerOutput = z.object({
  sessionId: z.string(),
  ...iceConfigOutput.shape,
  maxCallSeconds: z.number(),
});

/** The agent's Twilio Voice SDK line (token renewed by querying again), or WebRTC only. */
export const voiceLineOutput = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("webrtc") }),
  z.object({ mode: z.literal("twilio"), identity: z.string(), token: z.string(), ttlSeconds: z.number() }),
]);
