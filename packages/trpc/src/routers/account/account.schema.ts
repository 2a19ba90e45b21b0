import {
  accountTimezoneSchema,
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

export const updateTimezoneInput = z.object({ timezone: accountTimezoneSchema });

export const changePasswordInput = z.object({
  currentPassword: text().min(1, "Enter your current password.").max(256),
  newPassword: newPasswordSchema,
});

export const revokeSessionInput = z.object({ sessionId: text().min(1).max(64) });

/** The signed-in user and account, or null when logged out. */
export const meOutput = z
  .object({
    user: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.enum(["owner", "admin", "agent"]),
      emailVerified: z.boolean(),
    }),
    account: z.object({
      id: z.string(),
      companyName: z.string(),
      websiteUrl: z.string(),
      phone: z.string(),
      timezone: z.string(),
      plan: z.string(),
      status: z.enum(["active", "closed"]),
      verified: z.boolean(),
    }),
    isOperator: z.boolean(),
  })
  .nullable();

/** The user's login sessions (devices); `current` marks the one asking. */
export const sessionsOutput = z.array(
  z.object({
    id: z.string(),
    createdAt: z.date(),
    lastUsedAt: z.date(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    current: z.boolean(),
  }),
);

/** `current`: the revoked session was the one asking (the portal then logs out). */
export const revokeSessionOutput = z.object({ ok: z.literal(true), current: z.boolean() });

/** Whether the account is closed, and when the retention job deletes it. */
export const closureOutput = z.object({
  status: z.enum(["active", "closed"]),
  closedAt: z.date().nullable(),
  deleteAfter: z.date().nullable(),
});
