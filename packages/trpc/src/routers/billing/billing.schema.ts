import { z } from "zod";

export const checkoutInput = z.object({
  plan: z.enum(["starter", "pro"], { error: "Choose the Starter or Pro plan." }),
});
