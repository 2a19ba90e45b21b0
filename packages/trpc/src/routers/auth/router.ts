import { router } from "../../trpc";
import { loginProcedure, logoutProcedure } from "./login";
import { requestPasswordResetProcedure, resetPasswordProcedure } from "./password-reset";
import { signupProcedure } from "./signup";
import { resendVerificationProcedure, verifyEmailProcedure } from "./verify-email";

export const authRouter = router({
  signup: signupProcedure,
  verifyEmail: verifyEmailProcedure,
  resendVerification: resendVerificationProcedure,
  login: loginProcedure,
  logout: logoutProcedure,
  requestPasswordReset: requestPasswordResetProcedure,
  resetPassword: resetPasswordProcedure,
});
