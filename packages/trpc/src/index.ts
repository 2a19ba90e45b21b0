/**
 * `@cac/trpc`: the API. The router and its types (for the portal and the widget, which import
 * types only), the tiers (for the server and the access-control suite) and how a domain error
 * becomes a tRPC error. The work itself is in `@cac/core`.
 */
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./routers/app";

export type { AppErrorCode } from "@cac/core";
export type { PublicButtonConfig } from "@cac/core/domain";
export { appErrorOf, toTRPCError } from "./errors";
export { appRouter } from "./routers/app";
export { subscriptionPaths } from "./subscriptions";
export {
  authedProcedure,
  createCallerFactory,
  operatorProcedure,
  ownerProcedure,
  publicProcedure,
  router,
  widgetEntryGuards,
  widgetEntryProcedure,
  widgetProcedure,
} from "./trpc";
export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
