import { router } from "../../trpc";
import { closeProcedure, closureProcedure, reopenProcedure } from "./closure";
import { meProcedure } from "./me";
import { changePasswordProcedure } from "./password";
import { updateProfileProcedure } from "./profile";
import { listSessionsProcedure, revokeOtherSessionsProcedure, revokeSessionProcedure } from "./sessions";
import { updateTimezoneProcedure } from "./timezone";

export const accountRouter = router({
  me: meProcedure,
  updateProfile: updateProfileProcedure,
  updateTimezone: updateTimezoneProcedure,
  changePassword: changePasswordProcedure,
  sessions: listSessionsProcedure,
  revokeSession: revokeSessionProcedure,
  revokeOtherSessions: revokeOtherSessionsProcedure,
  closure: closureProcedure,
  close: closeProcedure,
  reopen: reopenProcedure,
});
