import { router } from "../../trpc";
import { overviewProcedure, plansProcedure } from "./overview";
import { checkoutProcedure, portalProcedure } from "./sessions";

export const billingRouter = router({
  overview: overviewProcedure,
  plans: plansProcedure,
  checkout: checkoutProcedure,
  portal: portalProcedure,
});
