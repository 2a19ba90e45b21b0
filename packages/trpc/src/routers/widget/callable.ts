import { callableNow } from "@cac/core";
import { z } from "zod";
import { widgetEntryProcedure } from "../../trpc";

/** Yes or no, and nothing else: never who is reachable, nor how many. */
export const callableOutput = z.object({ callable: z.boolean() });

/**
 * Whether the button can take a call now (someone reachable, or its phone fallback), asked by the
 * widget when the button renders and when its dialog opens, so a visitor nobody could answer is
 * offered the callback form and never asked for the microphone. Cached on the server and in the
 * browser (`Cache-Control`, set by the server for this path): at most 10 s old.
 */
export const callableProcedure = widgetEntryProcedure("callable", z.object({}))
  .output(callableOutput)
  .query(({ ctx }) => callableNow(ctx, ctx.button));
