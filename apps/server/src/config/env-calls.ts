import { z } from "zod";
import { emptyToUndefined, optionalString } from "./fields";

/** Calls: ringing, ICE and TURN for browser calls, and Twilio Voice for the phone network. */
export const callsEnv = {
  RING_TIMEOUT_SECONDS: z.coerce.number().int().min(5).max(300).default(30),
  ICE_SERVERS: z
    .string()
    .default("[]")
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({
          code: "custom",
          message: 'must be JSON, like [{"urls":"stun:stun.example.com:3478"}]',
        });
        return z.NEVER;
      }
    })
    .pipe(
      z.array(
        z.object({
          urls: z.union([z.string(), z.array(z.string())]),
          username: z.string().optional(),
          credential: z.string().optional(),
        }),
        { message: 'must be a JSON array like [{"urls":"stun:stun.example.com:3478"}]' },
      ),
    ),
  // coturn's shared-secret mode (TURN REST API): both or none (checked in problems.ts).
  TURN_URLS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .transform((value) =>
        value
          .split(",")
          .map((url) => url.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .regex(
                /^turns?:[^\s]+$/,
                "must be a comma-separated list of turn: or turns: URLs, like turn:turn.example.com:3478,turns:turn.example.com:5349?transport=tcp",
              ),
          )
          .min(1, "must name at least one turn: or turns: URL"),
      )
      .optional(),
  ),
  // Every visitor receives a credential signed with it, so a short secret could be guessed offline.
  TURN_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .min(32, "must be at least 32 characters (for example the output of `openssl rand -hex 32`)")
      .optional(),
  ),
  ICE_TRANSPORT_POLICY: z.enum(["all", "relay"], { error: 'must be "all" or "relay"' }).default("all"),
  // Twilio Voice: all six or none (checked in problems.ts).
  TWILIO_ACCOUNT_SID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, "must be an Account SID: AC followed by 32 hex characters")
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_API_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/, "must be an API Key SID: SK followed by 32 hex characters")
      .optional(),
  ),
  TWILIO_API_SECRET: optionalString,
  TWILIO_TWIML_APP_SID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^AP[0-9a-fA-F]{32}$/, "must be a TwiML App SID: AP followed by 32 hex characters")
      .optional(),
  ),
  TWILIO_CALLER_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\+1[2-9]\d{2}[2-9]\d{6}$/, "must be a US number in E.164 form, like +12025550143")
      .optional(),
  ),
};

/** Twilio Voice needs all six or none (see settingProblems). */
export const twilioKeys = [
  "TWILIO_ACCOUNT_SID",
  "TWILIO_AUTH_TOKEN",
  "TWILIO_API_KEY",
  "TWILIO_API_SECRET",
  "TWILIO_TWIML_APP_SID",
  "TWILIO_CALLER_ID",
] as const;
