import { z } from "zod";
import {
  companyNameSchema,
  newPasswordSchema,
  personNameSchema,
  usPhoneSchema,
  websiteUrlSchema,
} from "../../domain/validation";

export const updateProfileInput = z.object({
  name: personNameSchema,
  companyName: companyNameSchema.optional(),
  websiteUrl: websiteUrlSchema.optional(),
  phone: usPhoneSchema.optional(),
});

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, "Enter your current password.").max(256),
  newPassword: newPasswordSchema,
});

export const revokeSessionInput = z.object({ sessionId: z.string().min(1).max(64) });
