import {
  companyNameSchema,
  newPasswordSchema,
  personNameSchema,
  text,
  usPhoneSchema,
  websiteUrlSchema,
} from "@cac/core/domain";
import { z } from "zod";

export const updateProfileInput = z.object({
  name: personNameSchema,
  companyName: companyNameSchema.optional(),
  websiteUrl: websiteUrlSchema.optional(),
  phone: usPhoneSchema.optional(),
});

export const changePasswordInput = z.object({
  currentPassword: text().min(1, "Enter your current password.").max(256),
  newPassword: newPasswordSchema,
});

export const revokeSessionInput = z.object({ sessionId: text().min(1).max(64) });
