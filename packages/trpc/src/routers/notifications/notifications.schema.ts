import { text } from "@cac/core/domain";
import { z } from "zod";

const base64url = (max: number, what: string) =>
  text()
    .min(1, `The browser sent no ${what}.`)
    .max(max, `The browser's ${what} is too long.`)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `The browser's ${what} is not base64url.`);

const endpoint = text()
  .max(2048, "This push endpoint is too long.")
  .refine((value) => {
    try {
      return new URL(value).protocol === "https:";
    } catch {
      return false;
    }
  }, "The push endpoint must be an https:// address.");

export const subscribeInput = z.object({
  endpoint,
  keys: z.object({ p256dh: base64url(200, "encryption key"), auth: base64url(64, "auth secret") }),
  label: text().trim().min(1, "Name this device.").max(100, "Keep the device's name under 100 characters."),
});
export const touchInput = z.object({ endpoint });
export const deviceIdInput = z.object({ id: z.uuid("This device is not in your list.") });

export const preferencesOutput = z.object({
  pushIncomingCall: z.boolean(),
  pushMissedCall: z.boolean(),
  pushCallback: z.boolean(),
  emailMissedCall: z.boolean(),
  emailCallback: z.boolean(),
  emailDailySummary: z.boolean(),
});
export const updatePreferencesInput = preferencesOutput.partial();

export const configOutput = z.object({
  enabled: z.boolean(),
  publicKey: z.string().nullable(),
  coldStartSeconds: z.number(),
});
export const devicesOutput = z.array(
  z.object({
    id: z.string(),
    label: z.string(),
    createdAt: z.string(),
    lastActiveAt: z.string(),
    endpointHash: z.string(),
  }),
);
export const subscribeOutput = z.object({ id: z.string() });
export const tallyOutput = z.object({ sent: z.number(), removed: z.number() });
