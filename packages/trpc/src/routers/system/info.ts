import { publicProcedure } from "../../trpc";
import { infoOutput } from "./system.schema";

/** Which adapters are running, so the portal can say plainly what is local and what is real. */
export const infoProcedure = publicProcedure.output(infoOutput).query(({ ctx }) => ({
  production: ctx.settings.production,
  modes: ctx.settings.modes,
  // Public by design: the browser needs it to run the Turnstile widget (null when captcha is off).
  captchaSiteKey: ctx.captcha.siteKey,
  // Public by nature: the portal's browser needs the project key to send anonymized events.
  posthogKey: ctx.settings.analytics?.posthogKey ?? null,
  posthogHost: ctx.settings.analytics?.posthogHost ?? null,
}));
