import { z } from "zod";
import { personNameSchema, text, usPhoneSchema } from "../../domain/validation";
import { requestCallback } from "../../services/callbacks";
import { widgetEntryProcedure } from "../../trpc";

export const requestCallbackInput = z.object({
  name: personNameSchema,
  phone: usPhoneSchema,
  message: text().trim().max(1000, "Use at most 1000 characters.").optional(),
});

export const requestCallbackProcedure = widgetEntryProcedure("callback", requestCallbackInput).mutation(
  ({ ctx, input }) => requestCallback(ctx, ctx.button, input, ctx.visitorIp),
);
