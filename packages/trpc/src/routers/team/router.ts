import { router } from "../../trpc";
import {
  acceptInvitationProcedure,
  acceptWithNewLoginProcedure,
  acceptWithPasswordProcedure,
  invitationPreviewProcedure,
  invitationsProcedure,
  inviteProcedure,
  resendInvitationProcedure,
  revokeInvitationProcedure,
} from "./invitations";
import {
  changeRoleProcedure,
  leaveProcedure,
  membersProcedure,
  myAccountsProcedure,
  removeMemberProcedure,
  seatsProcedure,
  switchAccountProcedure,
} from "./members";
import { presenceProcedure } from "./presence";

export const teamRouter = router({
  members: membersProcedure,
  presence: presenceProcedure,
  seats: seatsProcedure,
  changeRole: changeRoleProcedure,
  remove: removeMemberProcedure,
  leave: leaveProcedure,
  accounts: myAccountsProcedure,
  switchAccount: switchAccountProcedure,
  invitations: invitationsProcedure,
  invite: inviteProcedure,
  resendInvitation: resendInvitationProcedure,
  revokeInvitation: revokeInvitationProcedure,
  invitation: invitationPreviewProcedure,
  acceptWithNewLogin: acceptWithNewLoginProcedure,
  acceptWithPassword: acceptWithPasswordProcedure,
  acceptInvitation: acceptInvitationProcedure,
});
