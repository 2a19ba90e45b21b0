import { router } from "../../trpc";
import { overviewProcedure } from "./overview";

export const dashboardRouter = router({
  overview: overviewProcedure,
});
