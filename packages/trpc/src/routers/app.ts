import { router } from "../trpc";
import { accountRouter } from "./account/router";
import { authRouter } from "./auth/router";
import { buttonsRouter } from "./buttons/router";
import { callbacksRouter } from "./callbacks/router";
import { systemRouter } from "./system/router";
import { widgetRouter } from "./widget/router";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  system: systemRouter,
  buttons: buttonsRouter,
  callbacks: callbacksRouter,
  widget: widgetRouter,
});

export type AppRouter = typeof appRouter;
