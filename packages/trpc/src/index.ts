/**
 * `@cac/trpc`: the API. The router and its types (for the portal and the widget, which import
 * types only), the tiers (for the server and the access-control suite) and how a domain error
 * becomes a tRPC error. The work itself is in `@cac/core`.
 */
import type { AnyProcedure, inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./routers/app";

export type { AppErrorCode } from "@cac/core";
export type { PublicButtonConfig } from "@cac/core/domain";
export { appErrorOf, toTRPCError } from "./errors";
export { appRouter } from "./routers/app";
export { phoneEventsRequest, type SubscriptionRequest, serializeEvent } from "./routers/phone/events";
export { subscriptionPaths } from "./subscriptions";
export {
  adminProcedure,
  authedProcedure,
  createCallerFactory,
  operatorProcedure,
  ownerProcedure,
  publicProcedure,
  router,
  sseOptions,
  widgetEntryGuards,
  widgetEntryProcedure,
  widgetProcedure,
} from "./trpc";
export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** "domain.name" paths of a router record's procedures, however deep its routers nest. */
type PathsOf<R, Prefix extends string = ""> = {
  [K in keyof R & string]: R[K] extends AnyProcedure ? `${Prefix}${K}` : PathsOf<R[K], `${Prefix}${K}.`>;
}[keyof R & string];
/**
 * Every procedure's path ("auth.signup", "calls.start"…), from the router's type: a table keyed by
 * it (`Record<ProcedurePath, …>`, as the access-control suite's) fails typecheck without a row for
 * a new procedure.
 */
export type ProcedurePath = PathsOf<AppRouter["_def"]["record"]>;
