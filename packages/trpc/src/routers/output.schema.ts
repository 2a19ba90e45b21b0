import { z } from "zod";

/**
 * Output shapes shared by several domains. Every procedure declares its output with `.output()`:
 * tRPC parses each answer through it, and zod objects drop the keys they do not name, so a column
 * a service starts returning reaches no browser until it is added here on purpose.
 */

/** A change that answers nothing more. */
export const okOutput = z.object({ ok: z.literal(true) });

/** A hang-up or a decline: `ended` is false when the call had ended already. */
export const callEndOutput = z.object({ ok: z.literal(true), ended: z.boolean() });

/** A message the portal shows as is (signup, password reset). */
export const messageOutput = z.object({ message: z.string() });

/** A Stripe page to send the browser to. */
export const urlOutput = z.object({ url: z.string() });

/** One ICE server; a TURN server carries this call's short-lived credential. */
const iceServerOutput = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});

/** What both browsers of a call pass to `new RTCPeerConnection(...)`. */
export const iceConfigOutput = z.object({
  iceServers: z.array(iceServerOutput),
  iceTransportPolicy: z.enum(["all", "relay"]),
});

/** A call's button in the call log, or `{ id: null, name: "Deleted button" }` once it was deleted. */
export const callButtonOutput = z.object({ id: z.string().nullable(), name: z.string() });

export const callStatusOutput = z.enum([
  "initiated",
  "ringing",
  "in-progress",
  "completed",
  "no-answer",
  "busy",
  "failed",
  "canceled",
  "unavailable",
]);

export const callTransportOutput = z.enum(["webrtc", "twilio"]);

/** The customer an operator's row is about; null for a site-wide one. */
export const accountRefOutput = z.object({ id: z.string(), companyName: z.string() }).nullable();

/** A member named on a work item (an assignee, an author, who answered); "Former member" once deleted. */
export const memberRefOutput = z.object({ id: z.string(), name: z.string() });

/** One note on a call or a callback request. `author` is null once their login was deleted. */
export const workNoteOutput = z.object({
  id: z.string(),
  body: z.string(),
  createdAt: z.date(),
  author: memberRefOutput.nullable(),
});
