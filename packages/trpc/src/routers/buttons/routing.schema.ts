import { DEFAULT_STEP_SECONDS, STEP_SECONDS } from "@cac/core";
import { z } from "zod";

const stepSeconds = z
  .number()
  .int("Ring time is a whole number of seconds.")
  .min(STEP_SECONDS.min, `Ring each member for at least ${STEP_SECONDS.min} seconds.`)
  .max(STEP_SECONDS.max, `Ring each member for at most ${STEP_SECONDS.max} seconds.`);

export const routingIdInput = z.object({ id: z.uuid("This button does not exist.") });

export const setRoutingInput = z.object({
  id: z.uuid("This button does not exist."),
  who: z.enum(["all", "chosen"]),
  strategy: z.enum(["ring-all", "in-order"]),
  stepSeconds: stepSeconds.default(DEFAULT_STEP_SECONDS),
  members: z
    .array(z.object({ userId: z.uuid("This member does not exist."), ringSeconds: stepSeconds.nullable() }))
    .max(100, "Choose at most 100 members."),
});

/** A button's routing as the editor shows it, and the members it can choose from. */
export const routingOutput = z.object({
  who: z.enum(["all", "chosen"]),
  strategy: z.enum(["ring-all", "in-order"]),
  stepSeconds: z.number(),
  members: z.array(z.object({ userId: z.string(), name: z.string(), ringSeconds: z.number().nullable() })),
  candidates: z.array(z.object({ userId: z.string(), name: z.string() })),
});
