import { z } from "zod";

/** The "Get started" checklist from the account's data, and today's numbers once it is complete. */
export const overviewOutput = z.object({
  checklist: z.object({
    emailConfirmed: z.boolean(),
    buttonCreated: z.boolean(),
    snippetSeen: z.boolean(),
    answerReady: z.boolean(),
    firstCallAnswered: z.boolean(),
    firstButton: z.object({ id: z.string(), publicId: z.string() }).nullable(),
    seenOn: z.string().nullable(),
    canRingPhone: z.boolean(),
    complete: z.boolean(),
  }),
  today: z
    .object({
      timezone: z.string(),
      date: z.string(),
      calls: z.number(),
      missed: z.number(),
      callbacksWaiting: z.number(),
      reachable: z.array(z.object({ userId: z.string(), name: z.string() })),
    })
    .nullable(),
});
