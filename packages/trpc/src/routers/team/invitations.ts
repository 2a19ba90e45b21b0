import {
  acceptInvitationNewLogin,
  acceptInvitationSignedIn,
  acceptInvitationWithPassword,
  inviteMember,
  listInvitations,
  previewInvitation,
  resendInvitation,
  revokeInvitation,
} from "@cac/core";
import { adminProcedure, authedProcedure, publicProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import {
  acceptNewLoginInput,
  acceptWithPasswordInput,
  invitationIdInput,
  invitationOutput,
  invitationPreviewOutput,
  invitationsOutput,
  invitationTokenInput,
  inviteInput,
} from "./team.schema";

export const invitationsProcedure = adminProcedure
  .output(invitationsOutput)
  .query(({ ctx }) => listInvitations(ctx, ctx.account.id));

export const inviteProcedure = adminProcedure
  .input(inviteInput)
  .output(invitationOutput)
  .mutation(({ ctx, input }) => inviteMember(ctx, ctx, input));

export const resendInvitationProcedure = adminProcedure
  .input(invitationIdInput)
  .output(invitationOutput)
  .mutation(({ ctx, input }) => resendInvitation(ctx, ctx, input.id));

export const revokeInvitationProcedure = adminProcedure
  .input(invitationIdInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => revokeInvitation(ctx, ctx, input.id));

/** The accept page's view of a link: the link is the credential (throttled per IP). */
export const invitationPreviewProcedure = publicProcedure
  .input(invitationTokenInput)
  .output(invitationPreviewOutput)
  .query(({ ctx, input }) => previewInvitation(ctx, input.token));

/** Accepts with a new login (logs it in); the link is the credential. */
export const acceptWithNewLoginProcedure = publicProcedure
  .input(acceptNewLoginInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => acceptInvitationNewLogin(ctx, input));

/** Accepts with the session's login, whose email must be the invitation's. */
export const acceptInvitationProcedure = authedProcedure
  .input(invitationTokenInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => acceptInvitationSignedIn(ctx, ctx, input.token));

/** Accepts with the existing login of the invitation's address, by its password (logs it in). */
export const acceptWithPasswordProcedure = publicProcedure
  .input(acceptWithPasswordInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => acceptInvitationWithPassword(ctx, input));
