import { z } from "zod";
import { buttonFieldsSchema } from "../../domain/button-fields";

export const buttonIdInput = z.object({ id: z.uuid("This button does not exist.") });
export const createButtonInput = buttonFieldsSchema;
export const updateButtonInput = z.object({
  id: z.uuid("This button does not exist."),
  fields: buttonFieldsSchema,
});
export const setEnabledInput = z.object({ id: z.uuid("This button does not exist."), enabled: z.boolean() });
