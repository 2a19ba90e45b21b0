import { z } from "zod";

/** Which adapters run, and the public keys the portal's browser needs. */
export const infoOutput = z.object({
  production: z.boolean(),
  modes: z.record(z.string(), z.string()),
  captchaSiteKey: z.string().nullable(),
  posthogKey: z.string().nullable(),
  posthogHost: z.string().nullable(),
});

/** The local mailer's messages (development only). */
export const devOutboxOutput = z.array(
  z.object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string(),
    html: z.string(),
    createdAt: z.date(),
  }),
);
