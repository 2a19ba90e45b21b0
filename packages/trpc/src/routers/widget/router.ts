import { router } from "../../trpc";
import { callableProcedure } from "./callable";
import { requestCallbackProcedure } from "./request-callback";

/** Procedures the embedded widget calls from third-party sites. */
export const widgetRouter = router({
  requestCallback: requestCallbackProcedure,
  callable: callableProcedure,
});
