import { router } from "../trpc";
import { abuseRouter } from "./abuse/router";
import { accountRouter } from "./account/router";
import { authRouter } from "./auth/router";
import { billingRouter } from "./billing/router";
import { buttonsRouter } from "./buttons/router";
import { callRouter } from "./call/router";
import { callLogRouter } from "./call-log/router";
import { callbacksRouter } from "./callbacks/router";
import { contactRouter } from "./contact/router";
import { dashboardRouter } from "./dashboard/router";
import { notificationsRouter } from "./notifications/router";
import { phoneRouter } from "./phone/router";
import { policyRouter } from "./policy/router";
import { systemRouter } from "./system/router";
import { teamRouter } from "./team/router";
import { widgetRouter } from "./widget/router";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  dashboard: dashboardRouter,
  system: systemRouter,
  buttons: buttonsRouter,
  callbacks: callbacksRouter,
  widget: widgetRouter,
  // "call" is reserved by tRPC, so the visitor's `call.start` is `calls.start`.
  calls: callRouter,
  phone: phoneRouter,
  billing: billingRouter,
  callLog: callLogRouter,
  abuse: abuseRouter,
  contact: contactRouter,
  policy: policyRouter,
  team: teamRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
