import {
  changeMemberRole,
  leaveAccount,
  listMembers,
  myAccounts,
  removeMember,
  seatUsage,
  switchAccount,
} from "@cac/core";
import { adminProcedure, authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import {
  changeRoleInput,
  memberIdInput,
  membersOutput,
  myAccountsOutput,
  seatsOutput,
  switchAccountInput,
} from "./team.schema";

/** Every member sees the team and who can take a call now. */
export const membersProcedure = authedProcedure
  .output(membersOutput)
  .query(({ ctx }) => listMembers(ctx, ctx.account.id));

/** The plan's seats: members and open invitations against what it allows (Team and Billing pages). */
export const seatsProcedure = authedProcedure
  .output(seatsOutput)
  .query(({ ctx }) => seatUsage(ctx, ctx.account.id));

/** Owners and admins change roles; the service keeps owners to owners and the last owner in place. */
export const changeRoleProcedure = adminProcedure
  .input(changeRoleInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => changeMemberRole(ctx, ctx, input));

export const removeMemberProcedure = adminProcedure
  .input(memberIdInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => removeMember(ctx, ctx, input.userId));

/** Any member may leave (never the last owner). */
export const leaveProcedure = authedProcedure.output(okOutput).mutation(({ ctx }) => leaveAccount(ctx, ctx));

/** The accounts of the person behind the session, for the account switcher. */
export const myAccountsProcedure = authedProcedure
  .output(myAccountsOutput)
  .query(({ ctx }) => myAccounts(ctx, ctx.user.id));

export const switchAccountProcedure = authedProcedure
  .input(switchAccountInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => switchAccount(ctx, ctx, input.accountId));
