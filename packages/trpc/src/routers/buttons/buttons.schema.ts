import { buttonFieldsSchema } from "@cac/core/domain";
import { z } from "zod";

export const buttonIdInput = z.object({ id: z.uuid("This button does not exist.") });
export const createButtonInput = buttonFieldsSchema;
export const updateButtonInput = z.object({
  id: z.uuid("This button does not exist."),
  fields: buttonFieldsSchema,
});
export const setEnabledInput = z.object({ id: z.uuid("This button does not exist."), enabled: z.boolean() });
