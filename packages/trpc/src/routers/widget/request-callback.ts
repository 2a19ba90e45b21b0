import { requestCallback } from "@cac/core";
import {
  personNameSchema,
  text,
  usPhoneSchema,
  visitorContextSchema,
  visitorLanguageSchema,
} from "@cac/core/domain";
import { z } from "zod";
import { widgetEntryProcedure } from "../../trpc";
import { okOutput } from "../output.schema";

export const requestCallbackInput = z.object({
  name: personNameSchema,
  phone: usPhoneSchema,
  message: text().trim().max(1000, "Use at most 1000 characters.").optional(),
  language: visitorLanguageSchema.optional(),
  // Who is asking (when the button collects it): stored with the request.
  context: visitorContextSchema.optional(),
});

export const requestCallbackProcedure = widgetEntryProcedure("callback", requestCallbackInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => requestCallback(ctx, ctx.button, input, ctx.visitorIp));
