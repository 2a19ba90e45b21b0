import { buttonFieldsSchema, buttonLanguages, buttonThemes, widgetLanguages } from "@cac/core/domain";
import { z } from "zod";

export const buttonIdInput = z.object({ id: z.uuid("This button does not exist.") });
export const createButtonInput = buttonFieldsSchema;
export const updateButtonInput = z.object({
  id: z.uuid("This button does not exist."),
  fields: buttonFieldsSchema,
});
export const setEnabledInput = z.object({ id: z.uuid("This button does not exist."), enabled: z.boolean() });

/** A button as the portal sees it (toButtonView): its fields, logo URL and embed snippet; no account key. */
export const buttonOutput = z.object({
  id: z.string(),
  publicId: z.string(),
  name: z.string(),
  label: z.string(),
  enabled: z.boolean(),
  /** Why the server turned the button off (the plan's limit), or null. */
  disabledReason: z.string().nullable(),
  style: z.object({
    background: z.string(),
    text: z.string(),
    size: z.enum(["small", "medium", "large"]),
    shape: z.enum(["pill", "rounded", "square", "circle"]),
    position: z.enum(["bottom-right", "bottom-left", "inline"]),
    icon: z.string(),
  }),
  logoKey: z.string().nullable(),
  logoBytes: z.number().nullable(),
  logoUrl: z.string().nullable(),
  snippet: z.string(),
  phoneNumber: z.string().nullable(),
  ringPortal: z.boolean(),
  collectContext: z.boolean(),
  timezone: z.string(),
  hours: z.array(z.array(z.object({ start: z.number(), end: z.number() }))),
  holidays: z.array(z.string()),
  closedBehavior: z.enum(["hide", "message", "callback"]),
  theme: z.enum(buttonThemes),
  conversionEvents: z.boolean(),
  language: z.enum(buttonLanguages),
  texts: z.partialRecord(
    z.enum(widgetLanguages),
    z.object({ label: z.string().optional(), closedMessage: z.string().optional() }),
  ),
  allowedDomains: z.array(z.string()),
  createdAt: z.date(),
  updatedAt: z.date(),
});
