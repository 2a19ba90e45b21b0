import { emailSchema, newPasswordSchema, personNameSchema, text } from "@cac/core/domain";
import { z } from "zod";

const role = z.enum(["owner", "admin", "agent"], "Choose a role: owner, admin or agent.");
const userId = z.uuid("This member does not exist.");
const invitationId = z.uuid("This invitation does not exist.");
const invitationToken = text().min(10, "This link is incomplete.").max(200);

export const inviteInput = z.object({ email: emailSchema, role });
export const invitationIdInput = z.object({ id: invitationId });
export const changeRoleInput = z.object({ userId, role });
export const memberIdInput = z.object({ userId });
export const switchAccountInput = z.object({ accountId: z.uuid("This account does not exist.") });
export const invitationTokenInput = z.object({ token: invitationToken });

export const acceptWithPasswordInput = z.object({
  token: invitationToken,
  password: text().min(1, "Enter your password.").max(256, "Enter your password."),
});

export const acceptNewLoginInput = z.object({
  token: invitationToken,
  name: personNameSchema,
  password: newPasswordSchema,
  ageConfirmed: z.literal(true, "You must confirm that you are 18 or older."),
});

export const memberOutput = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role,
  available: z.boolean(),
  reachable: z.boolean(),
  joinedAt: z.date(),
});
export const membersOutput = z.array(memberOutput);

export const invitationOutput = z.object({
  id: z.string(),
  email: z.string(),
  role,
  expiresAt: z.date(),
  expired: z.boolean(),
  createdAt: z.date(),
});
export const invitationsOutput = z.array(invitationOutput);

export const myAccountsOutput = z.array(z.object({ accountId: z.string(), companyName: z.string(), role }));

export const invitationPreviewOutput = z.object({
  companyName: z.string(),
  email: z.string(),
  role,
  hasLogin: z.boolean(),
});

export const seatsOutput = z.object({
  members: z.number(),
  pending: z.number(),
  allowed: z.number(),
  full: z.boolean(),
  inviteRefusal: z.string().nullable(),
});
