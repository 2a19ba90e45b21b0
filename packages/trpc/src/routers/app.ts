import { router } from "../trpc";
import { accountRouter } from "./account/router";
import { authRouter } from "./auth/router";
import { systemRouter } from "./system/router";

export const appRouter = router({
  auth: authRouter,
  account: accountRouter,
  system: systemRouter,
});

export type AppRouter = typeof appRouter;
